/**
 * Reads a `pg_dump` as a stream of SQL statements and COPY blocks, without holding the file in
 * memory (a production dump of two years of bars is gigabytes). A custom-format dump is turned
 * into SQL by `pg_restore -f -`; a plain dump is read as it is. Each item carries the dump's own
 * header comment ("-- Name: …; Type: …; Schema: …; Owner: …") when there is one, so what fails can
 * be reported by the object it belongs to.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';

export interface DumpEntry {
  /** e.g. `FUNCTION`, `TABLE`, `TABLE DATA`, `CONSTRAINT`, `ACL`. */
  type: string;
  name: string;
  schema: string;
  owner: string;
}

export type DumpItem =
  | { kind: 'statement'; sql: string; entry: DumpEntry | null }
  /**
   * `COPY … FROM stdin;` and its data (without the final `\.`) as blocks of whole lines, each
   * ending in a newline; consume `rows` before asking for the next item.
   */
  | { kind: 'copy'; sql: string; entry: DumpEntry | null; rows: AsyncIterable<string> }
  /** A psql meta-command line (`\connect`, `\restrict`, …): not SQL, never executed. */
  | { kind: 'meta'; line: string; entry: DumpEntry | null };

export type DumpFormat = 'custom' | 'plain';

export interface DumpSource {
  format: DumpFormat;
  items: AsyncGenerator<DumpItem>;
  /** "-- Dumped from database version …" and "-- Dumped by pg_dump version …", once read. */
  versions(): { dumpedFrom: string | null; dumpedBy: string | null };
  /** Stops pg_restore if it is still running (after a failure); resolves its outcome otherwise. */
  close(): Promise<void>;
}

export class DumpUnreadable extends Error {}

/** Custom-format archives start with the magic bytes `PGDMP`. */
export function detectDumpFormat(file: string): DumpFormat {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(5);
    const read = readSync(fd, head, 0, 5, 0);
    return read === 5 && head.toString('latin1') === 'PGDMP' ? 'custom' : 'plain';
  } finally {
    closeSync(fd);
  }
}

function pgRestoreVersion(): string | null {
  const probe = spawnSync('pg_restore', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

export function openDump(file: string): DumpSource {
  const format = detectDumpFormat(file);
  let child: ChildProcess | null = null;
  let stderr = '';
  let exited: Promise<number | null> = Promise.resolve(0);
  let input: NodeJS.ReadableStream;
  if (format === 'custom') {
    const version = pgRestoreVersion();
    if (!version) {
      throw new DumpUnreadable(
        `${file} is a custom-format dump and pg_restore is not installed here. Install pg_restore, or convert ` +
          `the dump elsewhere with \`pg_restore -f dump.sql ${file}\` and import the .sql file.`,
      );
    }
    const spawned = spawn('pg_restore', ['-f', '-', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    spawned.stdout.setEncoding('utf8');
    spawned.stderr.setEncoding('utf8');
    spawned.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    exited = new Promise((done) => spawned.on('close', (code) => done(code)));
    input = spawned.stdout;
    const restoreVersion = version;
    const versions = { dumpedFrom: null as string | null, dumpedBy: null as string | null };
    const items = readItems(input, versions, async () => {
      const code = await exited;
      if (code !== 0) {
        const unsupported = /unsupported version/i.test(stderr);
        throw new DumpUnreadable(
          unsupported
            ? `${restoreVersion} cannot read ${file}: it was written by a newer pg_dump (${stderr.trim()}). ` +
                `Convert it with a pg_restore at least as new: \`pg_restore -f dump.sql ${file}\`, then import the .sql file.`
            : `pg_restore could not read ${file} (exit ${code}): ${stderr.trim()}`,
        );
      }
    });
    return {
      format,
      items,
      versions: () => versions,
      async close() {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  }
  input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const versions = { dumpedFrom: null as string | null, dumpedBy: null as string | null };
  const stream = input as ReturnType<typeof createReadStream>;
  return {
    format,
    items: readItems(input, versions, async () => {}),
    versions: () => versions,
    async close() {
      stream.destroy();
    },
  };
}

const HEADER = /^-- (?:Data for )?Name: (.*); Type: ([A-Z][A-Z ]*); Schema: ([^;]*); Owner: ?(.*)$/;
const COPY_FROM_STDIN = /^\s*COPY\s[\s\S]*\sFROM\s+stdin\s*;\s*$/i;

/** Lexical state carried across lines while a statement is being accumulated. */
interface Lexer {
  quote: "'" | '"' | null;
  /** Backslash escapes apply inside E'…' strings only. */
  escapeString: boolean;
  dollarTag: string | null;
  blockDepth: number;
}

/**
 * Splits one line into complete statements and the unfinished rest, given the state at its start.
 * Knows single and double quotes, E'' strings, dollar quotes, line and (nested) block comments.
 */
function scanLine(line: string, lexer: Lexer): { ends: number[] } {
  const ends: number[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (lexer.blockDepth > 0) {
      if (ch === '*' && line[i + 1] === '/') {
        lexer.blockDepth -= 1;
        i += 2;
      } else if (ch === '/' && line[i + 1] === '*') {
        lexer.blockDepth += 1;
        i += 2;
      } else i += 1;
      continue;
    }
    if (lexer.dollarTag !== null) {
      if (line.startsWith(lexer.dollarTag, i)) {
        i += lexer.dollarTag.length;
        lexer.dollarTag = null;
      } else i += 1;
      continue;
    }
    if (lexer.quote !== null) {
      if (lexer.escapeString && ch === '\\') {
        i += 2;
        continue;
      }
      if (ch === lexer.quote) {
        if (line[i + 1] === lexer.quote) i += 2;
        else {
          lexer.quote = null;
          lexer.escapeString = false;
          i += 1;
        }
      } else i += 1;
      continue;
    }
    if (ch === '-' && line[i + 1] === '-') break;
    if (ch === '/' && line[i + 1] === '*') {
      lexer.blockDepth = 1;
      i += 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      lexer.quote = ch;
      lexer.escapeString = ch === "'" && i > 0 && /[eE]/.test(line[i - 1] as string) && !/\w/.test(line[i - 2] ?? ' ');
      i += 1;
      continue;
    }
    if (ch === '$') {
      const match = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(line.slice(i));
      // `$1` parameters and identifiers with `$` are not dollar quotes.
      if (match && !/[\w$]/.test(line[i - 1] ?? ' ')) {
        lexer.dollarTag = match[0];
        i += match[0].length;
        continue;
      }
    }
    if (ch === ';') ends.push(i + 1);
    i += 1;
  }
  return { ends };
}

/**
 * The dump's text, a chunk at a time. COPY data (nearly all of a dump) is passed on as slices of
 * the chunks it arrived in — never split into line strings and joined again — so a dump of
 * millions of rows costs little more than reading it.
 */
class LineCursor {
  private buffer = '';
  private position = 0;
  private ended = false;
  private inCopy = false;
  private readonly chunks: AsyncIterator<string | Buffer>;

  constructor(input: NodeJS.ReadableStream) {
    this.chunks = (input as AsyncIterable<string | Buffer>)[Symbol.asyncIterator]();
  }

  /** Appends the next chunk (dropping what was consumed); false at the end of the input. */
  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.slice(this.position) + next.value.toString();
    this.position = 0;
    return true;
  }

  async next(): Promise<string | null> {
    for (;;) {
      const newline = this.buffer.indexOf('\n', this.position);
      if (newline !== -1) {
        const line = this.buffer.slice(this.position, newline);
        this.position = newline + 1;
        return line.endsWith('\r') ? line.slice(0, -1) : line;
      }
      if (!(await this.more())) {
        if (this.position >= this.buffer.length) return null;
        const line = this.buffer.slice(this.position);
        this.position = this.buffer.length;
        return line;
      }
    }
  }

  /**
   * COPY data up to the `\.` line (consumed), as blocks of whole lines each ending in a newline.
   * Not a generator on purpose: a consumer that stops early (a failed COPY) must not end it, so
   * the caller can still drain the rest before reading the next statement.
   */
  copyData(): AsyncIterable<string> {
    this.inCopy = true;
    const next = async (): Promise<IteratorResult<string>> => {
      const block = await this.nextBlock();
      return block === null ? { done: true, value: undefined } : { done: false, value: block };
    };
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }

  private async nextBlock(): Promise<string | null> {
    while (this.inCopy) {
      const start = this.position;
      let line = start;
      for (;;) {
        const newline = this.buffer.indexOf('\n', line);
        if (newline === -1) break;
        const length = newline - line;
        const terminator =
          (length === 2 || (length === 3 && this.buffer.charCodeAt(line + 2) === 13)) &&
          this.buffer.charCodeAt(line) === 92 &&
          this.buffer.charCodeAt(line + 1) === 46;
        if (terminator) {
          this.position = newline + 1;
          this.inCopy = false;
          return line > start ? this.buffer.slice(start, line) : null;
        }
        line = newline + 1;
      }
      if (line > start) {
        this.position = line;
        return this.buffer.slice(start, line);
      }
      if (!(await this.more())) {
        // The end of the input: a final `\.` without a newline, or a dump cut short.
        const rest = this.buffer.slice(this.position).replace(/\r$/, '');
        this.position = this.buffer.length;
        this.inCopy = false;
        return rest === '' || rest === '\\.' ? null : `${rest}\n`;
      }
    }
    return null;
  }
}

async function* readItems(
  input: NodeJS.ReadableStream,
  versions: { dumpedFrom: string | null; dumpedBy: string | null },
  finished: () => Promise<void>,
): AsyncGenerator<DumpItem> {
  const cursor = new LineCursor(input);
  const lexer: Lexer = { quote: null, escapeString: false, dollarTag: null, blockDepth: 0 };
  let entry: DumpEntry | null = null;
  let buffer = '';
  const idle = () => buffer.trim() === '' && lexer.quote === null && lexer.dollarTag === null && lexer.blockDepth === 0;
  while (true) {
    const line = await cursor.next();
    if (line === null) break;
    if (idle()) {
      buffer = '';
      if (line.startsWith('--')) {
        const header = HEADER.exec(line);
        if (header) {
          entry = {
            name: header[1] as string,
            type: (header[2] as string).trim(),
            schema: header[3] as string,
            owner: (header[4] as string).trim(),
          };
        }
        const from = /^-- Dumped from database version (.+)$/.exec(line);
        if (from) versions.dumpedFrom = from[1] as string;
        const by = /^-- Dumped by pg_dump version (.+)$/.exec(line);
        if (by) versions.dumpedBy = by[1] as string;
        continue;
      }
      if (line.startsWith('\\')) {
        yield { kind: 'meta', line, entry };
        continue;
      }
      if (line.trim() === '') continue;
    }
    const { ends } = scanLine(line, lexer);
    let start = 0;
    for (const end of ends) {
      const statement = (buffer + line.slice(start, end)).trim();
      buffer = '';
      start = end;
      if (COPY_FROM_STDIN.test(statement)) {
        const blocks = cursor.copyData();
        yield { kind: 'copy', sql: statement, entry, rows: blocks };
        // Whatever the consumer left unread belongs to this COPY, not to the next statement.
        for await (const _unread of blocks) {
          // drained
        }
      } else if (statement !== ';') {
        yield { kind: 'statement', sql: statement, entry };
      }
    }
    const rest = line.slice(start);
    buffer += buffer === '' && rest.trim() === '' ? '' : `${rest}\n`;
  }
  if (buffer.trim() !== '') yield { kind: 'statement', sql: buffer.trim(), entry };
  await finished();
}
