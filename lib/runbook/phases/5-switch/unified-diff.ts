/**
 * A unified diff of two texts by lines (longest common subsequence), for the approver to see what
 * a replacement changes in a definition (phase 5). Function bodies are a few hundred lines at
 * most, so the quadratic table is cheap.
 */

export function unifiedDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  const a = before.split('\n');
  const b = after.split('\n');
  // lcs(i, j): the longest common subsequence of a[i..] and b[j..], in one flat table.
  const width = b.length + 1;
  const table = new Int32Array((a.length + 1) * width);
  const lcs = (i: number, j: number) => table[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
    }
  }
  const lines: { kind: ' ' | '-' | '+'; text: string; aLine: number; bLine: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: ' ', text: a[i] as string, aLine: i++, bLine: j++ });
    } else if (j < b.length && (i >= a.length || lcs(i, j + 1) > lcs(i + 1, j))) {
      lines.push({ kind: '+', text: b[j] as string, aLine: i, bLine: j++ });
    } else {
      lines.push({ kind: '-', text: a[i] as string, aLine: i++, bLine: j });
    }
  }
  const changed = lines.flatMap((line, index) => (line.kind === ' ' ? [] : [index]));
  if (changed.length === 0) return '';
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  let h = 0;
  while (h < changed.length) {
    const from = Math.max(0, (changed[h] as number) - context);
    let to = Math.min(lines.length, (changed[h] as number) + context + 1);
    while (h + 1 < changed.length && (changed[h + 1] as number) - context <= to) {
      h++;
      to = Math.min(lines.length, (changed[h] as number) + context + 1);
    }
    h++;
    const hunk = lines.slice(from, to);
    const aCount = hunk.filter((l) => l.kind !== '+').length;
    const bCount = hunk.filter((l) => l.kind !== '-').length;
    const aStart = (hunk[0]?.aLine ?? 0) + (aCount > 0 ? 1 : 0);
    const bStart = (hunk[0]?.bLine ?? 0) + (bCount > 0 ? 1 : 0);
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const line of hunk) out.push(`${line.kind}${line.text}`);
  }
  return out.join('\n');
}
