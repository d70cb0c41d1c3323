/** A small reader of the Prometheus text exposition format (what GET /metrics answers). */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text))) labels[match[1]] = match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  if (re.lastIndex !== 0 && re.lastIndex !== text.length && text.slice(re.lastIndex).trim() !== '') throw new Error(`bad labels: {${text}}`);
  return labels;
}

export function parseExposition(text: string): Exposition {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let match = /^# HELP (\S+) (.*)$/.exec(line);
    if (match) {
      help.set(match[1], match[2]);
      continue;
    }
    match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match) {
      type.set(match[1], match[2]);
      continue;
    }
    if (line.startsWith('#')) continue;
    match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    samples.push({ name: match[1], labels: match[2] ? parseLabels(match[2]) : {}, value: Number(match[3]) });
  }
  return { help, type, samples };
}

/** The family a sample name belongs to: `x_bucket`, `x_sum` and `x_count` belong to histogram `x`. */
export function familyOf(exposition: Exposition, name: string): string | undefined {
  if (exposition.type.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && ['histogram', 'summary'].includes(exposition.type.get(base) ?? '') ? base : undefined;
}

/** Samples of `name` whose labels include every pair of `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The value of the one sample that matches, 0 when none does (a counter not yet incremented). */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(exposition, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}
