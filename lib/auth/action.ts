/**
 * The one action wrapper (docs/architecture.md "Security"): parse with zod → authorize → act inside a transaction
 * that also writes the audit row → return a typed, discriminated result. Refused and invalid
 * attempts are audited too — as metadata only (lib/auth/refusal-audit.ts): whoever is not signed in,
 * sends invalid input or lacks the role chooses the input's size and how often, so neither the input
 * nor one row per attempt reaches the audit log. An action that refuses (ActionRefused) is audited
 * the same rate-limited way, counted per user: several actions are open to every viewer, who
 * chooses how often to be refused. What is kept of an authorized caller's input is what zod parsed
 * (keys the schema does not name are stripped), bounded and within the row cap. Independent of
 * Next.js: the server actions and the CLI both call it.
 */
import type { TransactionSql } from 'postgres';
import type { z } from 'zod';
import type { Database, SqlOrTx } from '../db/connection';
import { boundForAudit, recordAudit, redactCredentialsInText } from './audit';
import { auditRefusal, measureInput } from './refusal-audit';
import { hasAnyRole, type Role } from './roles';
import type { SessionUser } from './sessions';

export type ActionResult<T> =
  | { status: 'ok'; data: T }
  | { status: 'invalid'; fieldErrors: Record<string, string[]> }
  | { status: 'refused'; reason: string }
  | { status: 'failed'; message: string };

/** Thrown by an action to refuse with a reason an operator can act on (preconditions, races). */
export class ActionRefused extends Error {}

/** Thrown by an action for a failure whose message is safe and useful to show. */
export class ActionFailed extends Error {}

export interface ActionContext<I> {
  tx: TransactionSql;
  input: I;
  user: SessionUser;
  database: Database;
}

export interface ActionSpec<S extends z.ZodType, T> {
  /** Stable name, used in the audit log: `area.verb_noun`. */
  name: string;
  input: S;
  roles: readonly Role[];
  run(context: ActionContext<z.output<S>>): Promise<T>;
}

export function defineAction<S extends z.ZodType, T>(spec: ActionSpec<S, T>): ActionSpec<S, T> {
  return spec;
}

export async function executeAction<S extends z.ZodType, T>(
  spec: ActionSpec<S, T>,
  params: {
    database: Database;
    user: SessionUser | null;
    rawInput: unknown;
    /** How the request came, when not through the console's pages (e.g. `token "ci" (dxyc_ab12)`): kept in every audit row. */
    via?: string;
    /** The client's address (lib/auth/client-address-header.ts): kept in refusal rows; an anonymous caller's refusals are rate-limited per address (a signed-in one's per user). Null: unknown. */
    address?: string | null;
  },
): Promise<ActionResult<T>> {
  const { database, user, via } = params;
  const refusal = (reason: string, extra: { outcome?: 'invalid'; fields?: string[]; inputs?: unknown } = {}) =>
    auditRefusal(database.sql, {
      action: spec.name,
      reason,
      address: params.address ?? null,
      userId: user?.id ?? null,
      username: user?.username ?? null,
      sizes: measureInput(params.rawInput ?? {}),
      ...(via ? { via } : {}),
      ...extra,
    });
  // Only reached by a signed-in, authorized caller with valid input: what zod parsed of it, never the raw
  // input (keys the schema does not name would otherwise pad the row up to the cap).
  const audit = (
    outcome: 'ok' | 'failed',
    inputs: unknown,
    detail: Record<string, unknown>,
    sql: SqlOrTx = database.sql,
  ) =>
    recordAudit(sql, {
      userId: user?.id ?? null,
      username: user?.username ?? null,
      action: spec.name,
      outcome,
      inputs: boundForAudit(inputs),
      detail: via ? { via, ...detail } : detail,
    });

  if (!user) {
    const reason = 'Not signed in.';
    await refusal(reason);
    return { status: 'refused', reason };
  }
  const parsed = spec.input.safeParse(params.rawInput ?? {});
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path.length > 0 ? issue.path.join('.') : '_form';
      fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message];
    }
    await refusal('invalid input', { outcome: 'invalid', fields: Object.keys(fieldErrors) });
    return { status: 'invalid', fieldErrors };
  }
  if (!hasAnyRole(user.roles, spec.roles)) {
    const reason = `Requires role ${spec.roles.join(' or ')}; ${user.username} has ${user.roles.join(', ')}.`;
    await refusal(reason);
    return { status: 'refused', reason };
  }
  try {
    const data = await database.sql.begin(async (tx) => {
      const result = await spec.run({ tx, input: parsed.data, user, database });
      await audit('ok', parsed.data, { result: boundForAudit(result) }, tx);
      return result;
    });
    return { status: 'ok', data: data as T };
  } catch (error) {
    if (error instanceof ActionRefused) {
      // Rate-limited and counted per user like the refusals above (any viewer can call some actions and be
      // refused at will); the parsed input is kept on the rows that are written.
      await refusal(redactCredentialsInText(error.message), { inputs: parsed.data });
      return { status: 'refused', reason: error.message };
    }
    const known = error instanceof ActionFailed;
    const raw = error instanceof Error ? error.message : String(error);
    const auditId = await audit('failed', parsed.data, { message: redactCredentialsInText(raw) });
    const message = known
      ? redactCredentialsInText(raw)
      : `The action failed unexpectedly; details are in audit event #${auditId}.`;
    return { status: 'failed', message };
  }
}
