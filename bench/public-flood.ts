/**
 * A flood of the console's public endpoints (issue 20, "nothing unauthenticated writes more than a
 * bounded row"), over HTTP through the front server, each kind from its own socket address in
 * 127/8 (all of it is this machine on Linux):
 *
 * - server actions called without a session (addUserAction, an admin's action), each with a
 *   ~200 KB input — refused, as a browser-less attacker would send them (the `Next-Action` header);
 * - invitation acceptances with made-up tokens and ~200 KB passwords (acceptInvitationAction);
 * - bad bearer tokens on the command line's API (/api/cli/whoami).
 *
 * Meanwhile a real user signs in through the login form from 127.0.0.1. Then failed sign-ins
 * from many addresses (127.0.2.0/24, one attempt each, made-up usernames carrying the marker): each
 * is audited, but never with the username typed — only its length (lib/auth/login.ts). It checks that
 * cutover.audit_events grew by a bounded number of small rows (rows and bytes printed), that no
 * row holds any of the flood's input, and that the sign-in succeeded (its latency printed).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { AUDIT_ROW_MAX_BYTES } from '../lib/auth/audit-row-cap';
import type { ScratchConsole } from './scratch-console';
import { encodeForm, loginFormFields, post } from './sign-in-flood';

const SOURCES = { action: '127.0.0.3', invitation: '127.0.0.4', bearer: '127.0.0.5' } as const;
type Kind = keyof typeof SOURCES;
const OWNER_SOCKET = '127.0.0.1';
/** Failed sign-ins, one from each of this many addresses (each a scrypt: sent one after another, after the flood). */
const SIGN_IN_ADDRESSES = 24;
/** Under the console's server-action body limit (next.config.js, 256 KB): the action runs and refuses. */
const PAYLOAD_BYTES = 200_000;
/** A marker no legitimate row contains: finding it in the audit log means raw input was stored. */
const MARKER = 'FLOODMARKER';

/** A server action's id by its exported name, from the build's manifest (what a browser finds in the page's JS). */
function serverActionId(exportedName: string): string {
  const manifest = JSON.parse(readFileSync('.next/server/server-reference-manifest.json', 'utf8')) as {
    node: Record<string, { exportedName?: string }>;
  };
  const found = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === exportedName);
  if (!found) throw new Error(`no server action "${exportedName}" in the build's manifest`);
  return found[0];
}

interface Reply {
  status: number;
  ms: number;
}

function send(
  baseUrl: string,
  localAddress: string,
  options: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Promise<Reply> {
  const url = new URL(options.path, baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: options.method,
        localAddress,
        headers: { ...options.headers, ...(options.body ? { 'content-length': String(options.body.length) } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A server action called the way Next's client calls it: POST to a page, the action's id in `Next-Action`. */
function callServerAction(baseUrl: string, localAddress: string, page: string, actionId: string, args: unknown[]) {
  return send(baseUrl, localAddress, {
    method: 'POST',
    path: page,
    headers: {
      'next-action': actionId,
      'content-type': 'text/plain;charset=UTF-8',
      accept: 'text/x-component',
      origin: baseUrl,
    },
    body: Buffer.from(JSON.stringify(args)),
  });
}

const padding = (i: number) => `${MARKER}-${i}-${'p'.repeat(PAYLOAD_BYTES)}`;

export interface PublicFloodResult {
  problems: string[];
  summary: string;
}

export async function runPublicFlood(
  target: ScratchConsole,
  options: { requestsPerKind: number; concurrency: number; owner: { username: string; password: string } },
): Promise<PublicFloodResult> {
  const { sql } = target.database;
  const { baseUrl } = target;
  const addUser = serverActionId('addUserAction');
  const acceptInvitation = serverActionId('acceptInvitationAction');
  const hidden = await loginFormFields(baseUrl);
  const [before] = await sql<{ lastId: number; rows: number; bytes: number }[]>`
    select coalesce(max(id), 0) as "lastId", count(*) as rows,
           pg_total_relation_size('cutover.audit_events') as bytes
      from cutover.audit_events`;
  const lastId = before?.lastId ?? 0;

  const replies: Record<Kind, Reply[]> = { action: [], invitation: [], bearer: [] };
  const fire: Record<Kind, (i: number) => Promise<Reply>> = {
    action: (i) =>
      callServerAction(baseUrl, SOURCES.action, '/users', addUser, [
        { username: `flood${i}`, roles: ['admin'], note: padding(i) },
      ]),
    invitation: (i) =>
      callServerAction(baseUrl, SOURCES.invitation, `/invite/not-a-token-${i}`, acceptInvitation, [
        { token: `${MARKER}-made-up-token-${i}`, password: padding(i) },
      ]),
    bearer: (i) =>
      send(baseUrl, SOURCES.bearer, {
        method: 'GET',
        path: '/api/cli/whoami',
        headers: { authorization: `Bearer dxyc_${MARKER}${i}${'g'.repeat(40)}` },
      }),
  };
  const kinds = Object.keys(SOURCES) as Kind[];
  let next = 0;
  const total = options.requestsPerKind * kinds.length;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const kind = kinds[i % kinds.length] as Kind;
      replies[kind].push(await fire[kind](i));
    }
  };
  const flooding = Promise.all(Array.from({ length: options.concurrency }, worker));

  // The owner signs in while the flood runs: once a third of it is out.
  while (next < total / 3) await new Promise((resolve) => setImmediate(resolve));
  const { body, contentType } = await encodeForm([
    ...hidden,
    ['username', options.owner.username],
    ['password', options.owner.password],
  ]);
  const startedAt = next;
  const floodRunning = startedAt < total;
  const owner = await post(baseUrl, OWNER_SOCKET, body, { 'content-type': contentType });
  const sentDuringSignIn = next;
  await flooding;

  // Many addresses, one failed sign-in each: within every address's allowance, so each is a row.
  const signInReplies: number[] = [];
  for (let i = 0; i < SIGN_IN_ADDRESSES; i++) {
    const attempt = await encodeForm([
      ...hidden,
      ['username', `${MARKER}-user-${i}`],
      ['password', `${MARKER}-pw-${i}`],
    ]);
    signInReplies.push(
      (await post(baseUrl, `127.0.2.${i + 1}`, attempt.body, { 'content-type': attempt.contentType })).status,
    );
  }

  const problems: string[] = [];
  const signedIn = owner.status === 303 && owner.setCookie.length > 0;
  if (!signedIn) problems.push(`the owner's sign-in during the flood got HTTP ${owner.status}`);
  if (!floodRunning) problems.push('the flood was over before the owner signed in (send more requests)');

  const [after] = await sql<{ rows: number; bytes: number; largest: number; raw: number; signIns: number }[]>`
    select count(*) as rows,
           count(*) filter (where action = 'auth.sign_in' and inputs ? 'usernameLength') as "signIns",
           coalesce(sum(octet_length(coalesce(username, '')) + octet_length(action) + octet_length(inputs::text)
                        + octet_length(detail::text)), 0) as bytes,
           coalesce(max(octet_length(inputs::text) + octet_length(detail::text)), 0) as largest,
           count(*) filter (where inputs::text like ${`%${MARKER}%`} or detail::text like ${`%${MARKER}%`}
                              or username like ${`%${MARKER}%`}) as raw
      from cutover.audit_events where id > ${lastId}`;
  const [table] = await sql<{ bytes: number }[]>`
    select pg_total_relation_size('cutover.audit_events') as bytes`;
  const rows = after?.rows ?? 0;
  // Per address: the free refusals of each action (and the one starting a block), a carried count or
  // summary now and then, and the owner's sign-in. Far fewer than the requests, however many they are.
  const rowBound = kinds.length * 20 + 10 + SIGN_IN_ADDRESSES;
  if (rows > rowBound) problems.push(`${rows} audit rows for ${total} flood requests (at most ${rowBound} expected)`);
  if ((after?.largest ?? 0) > AUDIT_ROW_MAX_BYTES) problems.push(`an audit row of ${after?.largest} bytes`);
  if ((after?.bytes ?? 0) > rows * 2_000) problems.push(`${after?.bytes} bytes in ${rows} new audit rows`);
  if ((after?.raw ?? 0) > 0) problems.push(`${after?.raw} audit rows hold the flood's raw input`);
  // Each failed sign-in is on record (far below the ceiling across addresses), as a length, not a name.
  if ((after?.signIns ?? 0) !== SIGN_IN_ADDRESSES)
    problems.push(`${after?.signIns} of ${SIGN_IN_ADDRESSES} failed sign-ins audited as a username's length`);
  const signInFailed = signInReplies.filter((status) => status >= 500 || status === 0);
  if (signInFailed.length > 0) problems.push(`${signInFailed.length} failed sign-ins got HTTP ${signInFailed[0]}`);
  for (const kind of kinds) {
    const failed = replies[kind].filter((reply) => reply.status >= 500 || reply.status === 0);
    if (failed.length > 0) problems.push(`${failed.length} ${kind} requests failed (HTTP ${failed[0]?.status})`);
  }
  const statuses = (kind: Kind) => {
    const counts = new Map<number, number>();
    for (const reply of replies[kind]) counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
    return [...counts].map(([status, n]) => `${n}×${status}`).join(' ');
  };
  const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  return {
    problems,
    summary:
      `${total} requests (${options.requestsPerKind} each, ~${PAYLOAD_BYTES / 1000} KB inputs: ` +
      `actions ${statuses('action')}; invitations ${statuses('invitation')}; bearer ${statuses('bearer')}) → ` +
      `then ${SIGN_IN_ADDRESSES} failed sign-ins from as many addresses (${after?.signIns ?? 0} audited by length) → ` +
      `${rows} audit rows, ${after?.bytes ?? 0} bytes of content (largest ${after?.largest ?? 0}), table ` +
      `${megabytes(before?.bytes ?? 0)} → ${megabytes(table?.bytes ?? 0)}; ` +
      `the owner's sign-in during the flood (started at request ${startedAt}, ${sentDuringSignIn} sent by ` +
      `its answer): ${signedIn ? 'signed in' : 'REFUSED'} in ${owner.ms.toFixed(0)} ms`,
  };
}
