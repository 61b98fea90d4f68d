/**
 * A sign-in flood against the running console, over HTTP through its front server (issue 11):
 * 200 wrong-password attempts at one account, each claiming a different X-Forwarded-For, sent
 * from 127.0.0.2 (on Linux the whole of 127/8 is this machine, so the socket address the server
 * sees is genuinely not the usual 127.0.0.1). The console trusts no proxy here, so every attempt
 * must be counted against the socket address: most refused without a password check, the
 * spoofed addresses recorded nowhere, every attempt accounted for, and the account's owner,
 * signing in from 127.0.0.1 right after, let in at once.
 *
 * Sign-in is driven the way a browser without JavaScript submits the login form (the server
 * action's progressive-enhancement form post, hidden fields and all), so the flood goes through
 * exactly the code a person's sign-in goes through; no second sign-in endpoint exists for it.
 */
import { request } from 'node:http';
import type { ScratchConsole } from './scratch-console';

const ATTACKER_SOCKET = '127.0.0.2';
const OWNER_SOCKET = '127.0.0.1';

export interface Answer {
  status: number;
  location: string | null;
  setCookie: string[];
  body: string;
  ms: number;
}

export function post(
  baseUrl: string,
  localAddress: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<Answer> {
  const url = new URL('/login', baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: { ...headers, 'content-length': String(body.length), origin: url.origin },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location ?? null,
            setCookie: res.headers['set-cookie'] ?? [],
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What React escapes in attribute values, back to text. */
function decodeEntities(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The login form's hidden fields (the server action's id and state), as a browser without JavaScript sends them. */
export async function loginFormFields(baseUrl: string): Promise<[string, string][]> {
  const html = await (await fetch(`${baseUrl}/login`)).text();
  const form = /<form[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error('the login page has no form');
  const fields: [string, string][] = [];
  for (const input of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields.push([name, decodeEntities(value)]);
  }
  if (fields.length === 0) throw new Error('the login form has no hidden action fields (is it still a server action?)');
  return fields;
}

export async function encodeForm(fields: [string, string][]): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  const encoded = new Request('http://form.invalid/', { method: 'POST', body: form });
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? '' };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export interface FloodResult {
  attempts: number;
  refused: number;
  checked: number;
  problems: string[];
  summary: string;
}

export async function runSignInFlood(
  target: ScratchConsole,
  options: { username: string; password: string; attempts: number; concurrency: number },
): Promise<FloodResult> {
  const { sql } = target.database;
  const hidden = await loginFormFields(target.baseUrl);
  // The audit rows of this flood only (the harness signed the same user in before, from 127.0.0.1).
  const [{ lastId = 0 } = {}] = await sql<{ lastId: number }[]>`
    select coalesce(max(id), 0)::int as "lastId" from cutover.audit_events`;
  const spoofed = (i: number) => `203.0.${113 + (i >> 8)}.${i & 255}`;
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.attempts) {
      const i = next++;
      const { body, contentType } = await encodeForm([
        ...hidden,
        ['username', options.username],
        ['password', `wrong-password-${i}`],
      ]);
      answers.push(
        await post(target.baseUrl, ATTACKER_SOCKET, body, {
          'content-type': contentType,
          'x-forwarded-for': spoofed(i),
          'x-cutover-client-address': spoofed(i),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  const problems: string[] = [];
  // Refused without a password check: throttled, or (hashing saturated) busy.
  const refused = answers.filter(
    (a) =>
      a.body.includes('Too many failed sign-in attempts') || a.body.includes('too many sign-in attempts right now'),
  );
  const checked = answers.filter((a) => a.body.includes('unknown username or wrong password'));
  if (refused.length + checked.length !== answers.length) {
    const other = answers.find((a) => !refused.includes(a) && !checked.includes(a));
    problems.push(`an attempt got neither answer: HTTP ${other?.status} ${other?.body.slice(0, 200)}`);
  }
  if (refused.length < answers.length * 0.9) {
    problems.push(`only ${refused.length} of ${answers.length} attempts were refused without a password check`);
  }

  // Every attempt is accounted for: checked ones in `failures`, refused ones in the audit
  // summaries of finished blocked periods plus the current period's `throttled_attempts`.
  const rows = await sql<{ username: string; address: string; failures: number; throttled_attempts: number }[]>`
    select username, address, failures, throttled_attempts from cutover.sign_in_throttle
    where username = ${options.username}`;
  const summaries = await sql<{ n: number }[]>`
    select coalesce(sum((detail->>'refusedAttempts')::int), 0)::int as n from cutover.audit_events
    where id > ${lastId} and action = 'auth.sign_in' and username = ${options.username}
      and detail->>'reason' = 'throttled (summary)'`;
  const pair = rows.find((row) => row.address === ATTACKER_SOCKET);
  const counted = (pair?.failures ?? 0) + (pair?.throttled_attempts ?? 0) + (summaries[0]?.n ?? 0);
  if (rows.length !== 1 || !pair) {
    problems.push(
      `throttle rows for ${options.username}: ${JSON.stringify(rows)} (expected one, for ${ATTACKER_SOCKET})`,
    );
  }
  // A busy refusal is taken back (its password was never checked, it counts against nobody).
  const busy = refused.filter((a) => a.body.includes('too many sign-in attempts right now')).length;
  if (counted + busy !== options.attempts) {
    problems.push(`${counted} attempts counted and ${busy} refused as busy, ${options.attempts} made`);
  }
  if (pair && pair.failures !== checked.length) {
    problems.push(`${pair.failures} failures counted, ${checked.length} passwords checked`);
  }

  const audit = await sql<{ address: string | null; n: number }[]>`
    select detail->>'address' as address, count(*)::int as n from cutover.audit_events
    where id > ${lastId} and action = 'auth.sign_in' and username = ${options.username} group by 1`;
  if (audit.length !== 1 || audit[0]?.address !== ATTACKER_SOCKET) {
    problems.push(`audit rows record addresses ${JSON.stringify(audit)}, expected only ${ATTACKER_SOCKET}`);
  }
  const auditRows = audit.reduce((sum, row) => sum + row.n, 0);
  if (auditRows > checked.length + 20) problems.push(`${auditRows} audit rows for ${answers.length} attempts`);
  const spoofedSeen = await sql<{ n: number }[]>`
    select count(*)::int as n from cutover.audit_events where detail::text like '%203.0.11%'`;
  if ((spoofedSeen[0]?.n ?? 0) > 0) problems.push('a spoofed X-Forwarded-For address reached the audit log');

  // The account's owner, from their own address, right away.
  const { body, contentType } = await encodeForm([
    ...hidden,
    ['username', options.username],
    ['password', options.password],
  ]);
  const owner = await post(target.baseUrl, OWNER_SOCKET, body, {
    'content-type': contentType,
    'x-forwarded-for': ATTACKER_SOCKET,
  });
  const signedIn = owner.status === 303 && owner.setCookie.length > 0;
  if (!signedIn) problems.push(`the owner's sign-in got HTTP ${owner.status}: ${owner.body.slice(0, 200)}`);
  const sessions = await sql<{ ip: string | null }[]>`
    select s.ip from cutover.sessions s join cutover.users u on u.id = s.user_id
    where u.username = ${options.username} order by s.created_at desc limit 1`;
  if (signedIn && sessions[0]?.ip !== OWNER_SOCKET) {
    problems.push(`the owner's session records address ${sessions[0]?.ip}, expected ${OWNER_SOCKET}`);
  }

  return {
    attempts: answers.length,
    refused: refused.length,
    checked: checked.length,
    problems,
    summary:
      `${answers.length} attempts with rotating X-Forwarded-For: ${refused.length} refused (median ` +
      `${median(refused.map((a) => a.ms)).toFixed(0)} ms), ${checked.length} checked (median ` +
      `${median(checked.map((a) => a.ms)).toFixed(0)} ms), all counted against ${ATTACKER_SOCKET}, ` +
      `${auditRows} audit rows; the owner from ${OWNER_SOCKET}: ${signedIn ? 'signed in' : 'REFUSED'}`,
  };
}
