/**
 * Which metrics, and which of their labels, a PromQL expression relies on, read with the
 * Prometheus project's own PromQL grammar (@prometheus-io/lezer-promql):
 *   - every vector selector's metric name and the labels its matchers name;
 *   - labels of `by (...)` of the aggregations around it (`without` names labels it may lack);
 *   - labels of `on (...)` of the binary operations around it.
 * Grafana's variables are replaced first (`$__rate_interval` → 5m); `$route` inside a string is fine.
 */
import { readFileSync } from 'node:fs';
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

export interface MetricUse {
  metric: string;
  labels: Set<string>;
  /** Where the expression comes from, for messages. */
  source: string;
}

export function grafanaToPromQL(expr: string): string {
  return expr.replace(/\$__(rate_)?interval|\$__range/g, '5m').replace(/\$\{?__[a-z_]+\}?/g, '5m');
}

function labelNamesUnder(node: SyntaxNode | null, text: string): string[] {
  const names: string[] = [];
  if (!node) return names;
  const cursor = node.cursor();
  const end = node.to;
  do {
    if (cursor.from >= end) break;
    if (cursor.name === 'LabelName') names.push(text.slice(cursor.from, cursor.to));
  } while (cursor.next());
  return names;
}

export function metricUses(expression: string, source: string): MetricUse[] {
  const text = grafanaToPromQL(expression);
  const tree = parser.parse(text);
  const errors: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: …${text.slice(Math.max(0, node.from - 20), node.from + 20)}…`);
    },
  });
  if (errors.length) throw new Error(`${source}: not valid PromQL (${errors.join('; ')}): ${text}`);

  const uses: MetricUse[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const identifier = node.getChild('Identifier');
      const matchers = node.getChild('LabelMatchers');
      const labels = new Set(labelNamesUnder(matchers, text));
      let metric = identifier ? text.slice(identifier.from, identifier.to) : undefined;
      if (!metric && matchers) {
        const byName = /__name__\s*=\s*"([^"]+)"/.exec(text.slice(matchers.from, matchers.to));
        metric = byName?.[1];
      }
      labels.delete('__name__');
      for (let up = node.parent; up; up = up.parent) {
        if (up.name === 'AggregateExpr') {
          const modifier = up.getChild('AggregateModifier');
          if (modifier?.getChild('By')) for (const name of labelNamesUnder(modifier.getChild('GroupingLabels'), text)) labels.add(name);
        }
        if (up.name === 'BinaryExpr') {
          const matching = up.getChild('MatchingModifierClause');
          if (matching?.getChild('On')) for (const name of labelNamesUnder(matching.getChild('GroupingLabels'), text)) labels.add(name);
        }
      }
      if (metric) uses.push({ metric, labels, source });
    },
  });
  return uses;
}

/** Every PromQL expression of a Grafana dashboard: panel targets (rows included) and query variables. */
export function dashboardExpressions(file: string): Array<{ expr: string; source: string }> {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
    panels?: Array<{ title?: string; targets?: Array<{ expr?: string }>; panels?: unknown[] }>;
    templating?: { list?: Array<{ name: string; query?: string | { query?: string } }> };
  };
  const found: Array<{ expr: string; source: string }> = [];
  const visit = (panels: unknown[] | undefined) => {
    for (const panel of (panels ?? []) as Array<{ title?: string; targets?: Array<{ expr?: string }>; panels?: unknown[] }>) {
      for (const target of panel.targets ?? []) if (target.expr) found.push({ expr: target.expr, source: `panel "${panel.title}"` });
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    // Grafana's label_values(metric, label) is not PromQL: it asks for `label` of `metric`.
    const labelValues = query && /^label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(query);
    if (labelValues) found.push({ expr: `group by (${labelValues[2]}) (${labelValues[1]})`, source: `variable $${variable.name}` });
  }
  return found;
}

/** Every `expr` of a Prometheus rule file, with its alert or record name. */
export function ruleExpressions(file: string): Array<{ expr: string; source: string }> {
  const rules = parseYaml(readFileSync(file, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  return rules.groups.flatMap((group) => group.rules.map((rule) => ({ expr: String(rule.expr), source: `rule ${rule.alert ?? rule.record}` })));
}
