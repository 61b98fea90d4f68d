/**
 * Phase 5's new aggregator is production's own definition with one change (docs/phases.md, phase 5):
 * the 1m input `data_bars UNION ALL derived_data_bars` loses its derived_data_bars branch. Helper
 * names, raw tags, the vwap rule and everything else stay as production wrote them, because a body
 * of our own would not match production's in every detail (docs/domain.md).
 *
 * The body is scanned, not pattern-matched as a whole: string literals, quoted identifiers and
 * comments are skipped, parentheses are tracked, and a `UNION ALL` is understood only when the
 * parenthesised group around it has exactly one branch reading data_bars and one reading
 * derived_data_bars with timeframe '1m'. Anything else is refused with what was found.
 */

export type AggregatorTransform =
  | { ok: true; sql: string; removedBranch: string }
  | { ok: false; reason: string; alreadyDataBarsOnly: boolean };

interface Word {
  text: string;
  start: number;
  end: number;
  depth: number;
}

interface Scan {
  words: Word[];
  /** Single-quoted literals (their contents) with positions. */
  literals: { text: string; start: number; depth: number }[];
  /** For each opening parenthesis position, its matching closing position. */
  groups: Map<number, number>;
  /** Opening parenthesis positions, by position, with their depth (the depth inside them). */
  opens: { at: number; depth: number }[];
}

function scanSql(text: string, from: number, to: number): Scan {
  const words: Word[] = [];
  const literals: Scan['literals'] = [];
  const groups = new Map<number, number>();
  const opens: Scan['opens'] = [];
  const stack: number[] = [];
  let i = from;
  while (i < to) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 || end > to ? to : end + 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 || end > to ? to : end + 2;
    } else if (c === "'") {
      let j = i + 1;
      while (j < to) {
        if (text[j] === "'" && text[j + 1] === "'") j += 2;
        else if (text[j] === "'") break;
        else j++;
      }
      literals.push({ text: text.slice(i + 1, j).replace(/''/g, "'"), start: i, depth: stack.length });
      i = j + 1;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const close = end < 0 || end > to ? to : end;
      words.push({ text: text.slice(i + 1, close).toLowerCase(), start: i, end: close + 1, depth: stack.length });
      i = close + 1;
    } else if (c === '(') {
      stack.push(i);
      opens.push({ at: i, depth: stack.length });
      i++;
    } else if (c === ')') {
      const open = stack.pop();
      if (open !== undefined) groups.set(open, i);
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < to && /[A-Za-z0-9_$]/.test(text[j] as string)) j++;
      words.push({ text: text.slice(i, j).toLowerCase(), start: i, end: j, depth: stack.length });
      i = j;
    } else i++;
  }
  return { words, literals, groups, opens };
}

/** The body between `AS $tag$` and the closing `$tag$` of a function definition. */
function bodySpan(definition: string): { start: number; end: number } | null {
  const match = /\bAS\s+(\$[A-Za-z_0-9]*\$)/i.exec(definition);
  if (!match) return null;
  const tag = match[1] as string;
  const start = match.index + match[0].length;
  const end = definition.indexOf(tag, start);
  return end < 0 ? null : { start, end };
}

interface Branch {
  start: number;
  end: number;
  readsDataBars: boolean;
  readsDerived1m: boolean;
}

function classify(scan: Scan, start: number, end: number): Branch {
  const inside = scan.words.filter((w) => w.start >= start && w.end <= end);
  const literals = scan.literals.filter((l) => l.start >= start && l.start < end);
  const readsDerived = inside.some((w) => w.text === 'derived_data_bars');
  return {
    start,
    end,
    readsDataBars: inside.some((w) => w.text === 'data_bars'),
    readsDerived1m: readsDerived && literals.some((l) => l.text === '1m'),
  };
}

/** The keyword before a table name (skipping a `public.` qualifier): FROM / JOIN read, INTO / UPDATE write. */
function keywordBefore(scan: Scan, word: Word): string {
  const index = scan.words.indexOf(word);
  const previous = scan.words[index - 1];
  const keyword = previous?.text === 'public' ? scan.words[index - 2] : previous;
  return keyword?.text ?? '';
}

function tableMentions(scan: Scan): { table: string; keyword: string; word: Word }[] {
  return scan.words
    .filter((w) => w.text === 'derived_data_bars' || w.text === 'data_bars')
    .map((word) => ({ table: word.text, keyword: keywordBefore(scan, word), word }));
}

/** Where the body mentions the two tables, for a refusal that says what was found. */
function describeReads(scan: Scan, definition: string): string {
  const mentions = tableMentions(scan);
  if (mentions.length === 0) return 'no mention of data_bars or derived_data_bars';
  return mentions
    .map((m) => `${m.keyword.toUpperCase()} ${m.table} (line ${definition.slice(0, m.word.start).split('\n').length})`)
    .join(', ');
}

/**
 * The definition with its derived_data_bars 1m branch removed from the one `data_bars UNION ALL
 * derived_data_bars` it reads, or a refusal naming what the body holds instead.
 */
export function transformToDataBarsOnly(definition: string): AggregatorTransform {
  const span = bodySpan(definition);
  if (!span)
    return {
      ok: false,
      reason: 'the definition has no dollar-quoted body (AS $…$) to read',
      alreadyDataBarsOnly: false,
    };
  const scan = scanSql(definition, span.start, span.end);
  const unions = scan.words.flatMap((w, index) => {
    const next = scan.words[index + 1];
    return w.text === 'union' && next?.text === 'all' && next.depth === w.depth
      ? [{ start: w.start, end: next.end, depth: w.depth }]
      : [];
  });
  const candidates: { branches: Branch[]; derived: number }[] = [];
  const seenGroups = new Set<number>();
  for (const union of unions) {
    // The group around this UNION ALL: the innermost parenthesis open at its depth.
    const open = [...scan.opens].reverse().find((o) => o.at < union.start && o.depth === union.depth);
    const close = open ? scan.groups.get(open.at) : undefined;
    if (!open || close === undefined || close < union.end || seenGroups.has(open.at)) continue;
    seenGroups.add(open.at);
    const separators = unions.filter((u) => u.depth === union.depth && u.start > open.at && u.end < close);
    const bounds = [open.at + 1, ...separators.flatMap((s) => [s.start, s.end]), close];
    const branches: Branch[] = [];
    for (let b = 0; b < bounds.length; b += 2)
      branches.push(classify(scan, bounds[b] as number, bounds[b + 1] as number));
    const derived = branches.filter((b) => b.readsDerived1m && !b.readsDataBars);
    const dataBars = branches.filter((b) => b.readsDataBars && !b.readsDerived1m);
    if (branches.length === 2 && derived.length === 1 && dataBars.length === 1) {
      candidates.push({ branches, derived: branches.indexOf(derived[0] as Branch) });
    }
  }
  const found = describeReads(scan, definition);
  if (candidates.length === 0) {
    const reads = (table: string) =>
      tableMentions(scan).some((m) => m.table === table && (m.keyword === 'from' || m.keyword === 'join'));
    const derived1m = reads('derived_data_bars');
    const readsDataBars = reads('data_bars');
    if (!derived1m && readsDataBars)
      return {
        ok: false,
        reason: `the body already reads data_bars only (found: ${found}): nothing to change`,
        alreadyDataBarsOnly: true,
      };
    return {
      ok: false,
      reason:
        `no recognisable (data_bars UNION ALL derived_data_bars 1m) source in the body ` +
        `(${unions.length} UNION ALL; found: ${found})`,
      alreadyDataBarsOnly: false,
    };
  }
  if (candidates.length > 1)
    return {
      ok: false,
      reason: `${candidates.length} unions of data_bars and derived_data_bars 1m in the body (found: ${found}): which one is the 1m input is not clear`,
      alreadyDataBarsOnly: false,
    };
  const { branches, derived } = candidates[0] as { branches: Branch[]; derived: number };
  const [first, second] = branches as [Branch, Branch];
  // Cut the derived branch with the UNION ALL that joins it; the data_bars branch keeps its own text.
  const trimmedEnd = (b: Branch) => b.start + definition.slice(b.start, b.end).trimEnd().length;
  const trimmedStart = (b: Branch) => b.end - definition.slice(b.start, b.end).trimStart().length;
  const cut =
    derived === 1
      ? { from: trimmedEnd(first), to: trimmedEnd(second) }
      : { from: trimmedStart(first), to: trimmedStart(second) };
  return {
    ok: true,
    sql: definition.slice(0, cut.from) + definition.slice(cut.to),
    removedBranch: definition.slice(cut.from, cut.to).trim(),
  };
}
