import type { ApiClient } from '../api/client';
import { usePoll } from '../components/use-poll';
import { useI18n } from '../i18n/i18n';

type Json = Readonly<Record<string, unknown>>;

function objectOf(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The flow's part of the config file and the connections it uses, as the API gives it: secrets masked. */
export function flowConfigOf(config: unknown, flow: string): Json {
  const root = objectOf(config) ?? {};
  const section = objectOf(objectOf(root.flows)?.[flow]);
  if (section === undefined) return root;
  const names = [objectOf(section.source)?.connection, objectOf(section.target)?.connection].filter(
    (name): name is string => typeof name === 'string',
  );
  const connections = objectOf(root.connections) ?? {};
  return {
    flows: { [flow]: section },
    connections: Object.fromEntries(
      names.filter((name) => name in connections).map((name) => [name, connections[name]]),
    ),
  };
}

/** The flow's configuration (secrets masked by the server). */
export function FlowConfig({ client, flow }: { readonly client: ApiClient; readonly flow: string }) {
  const { t } = useI18n();
  const config = usePoll(() => client.get<{ config: unknown }>('/config'), 300_000, 'config');
  return (
    <section className="panel" id="config">
      <h2>{t('config.title')}</h2>
      <pre className="config">
        {config.data === undefined
          ? t('common.loading')
          : JSON.stringify(flowConfigOf(config.data.config, flow), null, 2)}
      </pre>
    </section>
  );
}
