import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConfigError } from '../config/config-error.js';
import { redactText } from '../config/secret.js';
import { ErrorCodes, type ErrorCode } from '../core/error-codes.js';
import { SyncError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** The one shape of every error the API returns; `code` is one of docs/errors.md. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly flow?: string;
    readonly key?: string;
    /** The request field at fault (`body.every`), for a 400. */
    readonly field?: string;
    /** Every problem of a config, with its key path (CONFIG_INVALID). */
    readonly issues?: readonly { readonly path: string; readonly message: string }[];
  };
}

/** Sends an error of a known code, with its HTTP status. */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  extra: Omit<ApiErrorBody['error'], 'code' | 'message'> = {},
): FastifyReply {
  return reply.code(ErrorCodes[code].httpStatus).send({ error: { code, message, ...extra } });
}

interface NestedIssue {
  readonly code?: string;
  readonly path?: readonly PropertyKey[];
  readonly message?: string;
}

/** The issue that says what is wrong: inside a union, the first of the branch the body meant. */
function innermost(first: NonNullable<FastifyError['validation']>[number]): { path: string; message: string } {
  const branches = (first.params as { errors?: unknown }).errors;
  if (first.keyword === 'invalid_union' && Array.isArray(branches)) {
    const candidates = branches.filter((branch): branch is NestedIssue[] => Array.isArray(branch));
    // The branch the body meant is the one that did not refuse its keys outright.
    const meant = candidates.find((branch) => !branch.some((issue) => issue.code === 'unrecognized_keys')) ?? candidates[0];
    const issue = meant?.[0];
    if (issue !== undefined)
      return { path: (issue.path ?? []).map(String).join('.'), message: issue.message ?? first.message ?? '' };
  }
  return { path: first.instancePath.replace(/^\//, '').replaceAll('/', '.'), message: first.message ?? '' };
}

function validationField(error: FastifyError): { field: string; message: string } {
  const where = error.validationContext ?? 'body';
  const first = error.validation?.[0];
  if (first === undefined) return { field: where, message: `${where}: ${error.message}` };
  const { path, message } = innermost(first);
  const field = path === '' ? where : `${where}.${path}`;
  return { field, message: `${field}: ${message}` };
}

/**
 * Turns whatever a route throws into the API's error shape: a bad request names its field (400), an
 * oversized body is 413, a SyncError keeps its code and status, a bad config lists its problems;
 * anything else is a 500 that says nothing of the server's insides (the log has the stack). No
 * message leaves without the secrets redacted.
 */
export function registerErrorHandling(app: FastifyInstance, logger: Logger, secrets: () => readonly string[]): void {
  const clean = (text: string): string => redactText(text, secrets());
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const { field, message } = validationField(error);
      return sendError(reply, 'REQUEST_INVALID', clean(message), { field });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(reply, 'REQUEST_TOO_LARGE', 'The request body is larger than the server accepts');
    if (error instanceof SyncError)
      return sendError(reply, error.code, clean(error.message), {
        ...(error.flow === undefined ? {} : { flow: error.flow }),
        ...(error.key === undefined ? {} : { key: error.key }),
      });
    if (error instanceof ConfigError)
      return sendError(reply, 'CONFIG_INVALID', clean(error.message), {
        issues: error.issues.map((issue) => ({ path: issue.path, message: clean(issue.message) })),
      });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return sendError(reply, 'REQUEST_INVALID', clean(error.message), {
        ...(error.validationContext === undefined ? {} : { field: error.validationContext }),
      });
    logger.error(`API ${request.method} ${request.url} failed: ${clean(error.stack ?? error.message)}`);
    return sendError(reply, 'INTERNAL', 'An unexpected error occurred; the server log has the details');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'ROUTE_NOT_FOUND', `No endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );
}
