/** `a, b ,,c` → `['a', 'b', 'c']`: a comma-separated setting, blanks dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
