/**
 * Workflow states a flow can set through Tryton's buttons. `state` of these models is read-only:
 * a mapped `state` value is reached by calling the buttons, never by writing the field.
 */
interface Workflow {
  /** States along the main path, each reached from the previous one by its button. */
  readonly path: readonly (readonly [state: string, button: string | undefined])[];
  /** States reached by one button from any state before them on the path (`cancel`), and back to the start (`draft`). */
  readonly direct: Readonly<Record<string, string>>;
}

const WORKFLOWS: Readonly<Record<string, Workflow>> = {
  'sale.sale': {
    path: [
      ['draft', undefined],
      ['quotation', 'quote'],
      ['confirmed', 'confirm'],
      ['processing', 'process'],
      ['done', undefined],
    ],
    direct: { cancelled: 'cancel', draft: 'draft' },
  },
  'sale.opportunity': {
    path: [
      ['lead', undefined],
      ['opportunity', 'opportunity'],
      ['converted', 'convert'],
      ['won', undefined],
    ],
    direct: { lead: 'lead', lost: 'lost', cancelled: 'cancel' },
  },
  'purchase.purchase': {
    path: [
      ['draft', undefined],
      ['quotation', 'quote'],
      ['confirmed', 'confirm'],
      ['processing', 'process'],
    ],
    direct: { cancelled: 'cancel', draft: 'draft' },
  },
};

/** The field a workflow's state is read from and set through. */
export const STATE_FIELD = 'state';

/** Whether `state` of this model is set through workflow buttons. */
export function hasWorkflow(model: string): boolean {
  return WORKFLOWS[model] !== undefined;
}

/** The model's cancel button, for deleting records that must be cancelled first (a sale). */
export function cancelButton(model: string): { readonly button: string; readonly state: string } | undefined {
  const workflow = WORKFLOWS[model];
  const entry = Object.entries(workflow?.direct ?? {}).find(([, button]) => button === 'cancel');
  return entry === undefined ? undefined : { state: entry[0], button: entry[1] };
}

/** Every state this connector can set on a model, for error messages. */
export function reachableStates(model: string): string[] {
  const workflow = WORKFLOWS[model];
  if (workflow === undefined) return [];
  return [...new Set([...workflow.path.map(([state]) => state), ...Object.keys(workflow.direct)])];
}

/** Whether `state` is the workflow's first (editable) state, `draft` of a sale: the record is moved there before its values are written. */
export function isStartState(model: string, state: string): boolean {
  return WORKFLOWS[model]?.path[0]?.[0] === state;
}

/**
 * The buttons that take a record of `model` from state `from` (undefined: just created, in the
 * first state) to `to`, in order; empty when it is there already or past it along the path.
 * Undefined when `to` cannot be reached (an unknown state, or a state no button reaches).
 */
export function transitions(model: string, from: string | undefined, to: string): string[] | undefined {
  const workflow = WORKFLOWS[model];
  if (workflow === undefined) return undefined;
  const start = workflow.path[0]?.[0];
  const current = from ?? start;
  if (current === to) return [];
  const direct = workflow.direct[to];
  const states = workflow.path.map(([state]) => state);
  const here = current === undefined ? -1 : states.indexOf(current);
  const there = states.indexOf(to);
  if (there > 0 && here >= 0 && here < there)
    return workflow.path
      .slice(here + 1, there + 1)
      .flatMap(([, button]) => (button === undefined ? [] : [button]));
  // Tryton moves records further along by itself (a confirmed sale is processed, then done): a
  // record already past the mapped state stays where it is.
  if (there > 0 && here > there) return [];
  if (there > 0 && here < 0 && direct === undefined && workflow.direct[start ?? ''] !== undefined) {
    // From a side state (cancelled), back to the start first, then along the path.
    const back = workflow.direct[start ?? ''] ?? '';
    return [
      back,
      ...workflow.path.slice(1, there + 1).flatMap(([, button]) => (button === undefined ? [] : [button])),
    ];
  }
  return direct === undefined ? undefined : [direct];
}
