import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditRefusal } from '../core/audit.js';
import type { OperationsContext } from '../operations/operations-context.js';
import { authenticateToken, hasRole, type Role } from '../operations/tokens.js';
import { sendError } from './api-error.js';

/** Who made a request: the token's name and role. */
export interface Caller {
  readonly name: string;
  readonly role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook of routes that need a token. */
    caller?: Caller;
  }
}

/** The caller of a route behind `requireRole` (set by the hook; a route without one never calls this). */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === undefined) throw new Error(`${request.url}: no caller; the route lacks its auth hook`);
  return request.caller;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * A hook that lets a request through only with a valid token whose role is at least `needed`:
 * no or unknown token → 401, a role too low → 403. Both refusals are audited (`api.refused`), with
 * the token's name when there is one; the token itself never is.
 */
export function requireRole(
  operations: OperationsContext,
  needed: Role,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  return async (request, reply) => {
    const subject = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const presented = bearer(request);
    const caller = presented === undefined ? undefined : await authenticateToken(operations, presented);
    if (caller === undefined) {
      const why = presented === undefined ? 'no bearer token' : 'unknown, revoked or expired token';
      await auditRefusal(operations.state, { actor: 'anonymous', action: 'api.refused', subject }, `401: ${why}`);
      return sendError(
        reply,
        'UNAUTHENTICATED',
        presented === undefined
          ? 'Send a token: Authorization: Bearer <token> (create one with "syncline token create")'
          : 'The token is unknown, revoked or expired',
      );
    }
    if (!hasRole(caller.role, needed)) {
      await auditRefusal(
        operations.state,
        { actor: caller.name, action: 'api.refused', subject },
        `403: role ${caller.role} may not do what needs ${needed}`,
      );
      return sendError(reply, 'FORBIDDEN', `This needs the ${needed} role; token "${caller.name}" is ${caller.role}`);
    }
    request.caller = caller;
    return undefined;
  };
}
