/**
 * Validation of five-field cron expressions (`minute hour day-of-month month
 * day-of-week`, the POSIX form GitHub Actions' `schedule` uses) for the `schedule`
 * key of `.github/prebuilds.yml`. Month and weekday names (`JAN`, `MON`) are accepted.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

function atom(text: string, field: Field): number | null {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : null;
  }
  const idx = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (idx < 0) return null;
  return field.name === 'month' ? idx + 1 : idx;
}

function checkItem(item: string, field: Field): string | null {
  const [range, step, extra] = item.split('/');
  if (extra !== undefined || range === undefined || range === '') return `\`${item}\` is not a valid ${field.name}`;
  if (step !== undefined && !/^\d{1,3}$/.test(step)) return `step \`${step}\` of the ${field.name} must be a number`;
  if (step !== undefined && Number(step) === 0) return `step of the ${field.name} must not be 0`;
  if (range === '*') return null;
  const [lo, hi, more] = range.split('-');
  if (more !== undefined || lo === undefined) return `\`${item}\` is not a valid ${field.name}`;
  const a = atom(lo, field);
  if (a === null) return `\`${lo}\` is not a valid ${field.name} (${field.min}–${field.max})`;
  if (hi === undefined) return null;
  const b = atom(hi, field);
  if (b === null) return `\`${hi}\` is not a valid ${field.name} (${field.min}–${field.max})`;
  if (b < a) return `range \`${range}\` of the ${field.name} runs backwards`;
  return null;
}

/**
 * Checks a cron expression.
 * @returns `null` when it is a valid five-field expression, else the reason (for a problem message)
 */
export function cronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 || parts[0] === '') {
    return `a cron expression has five fields (minute hour day-of-month month day-of-week), found ${parts[0] === '' ? 0 : parts.length}`;
  }
  for (let i = 0; i < 5; i++) {
    for (const item of parts[i]!.split(',')) {
      const reason = checkItem(item, FIELDS[i]!);
      if (reason) return reason;
    }
  }
  return null;
}

/** The expression with its fields separated by single spaces (`0  3 * * *` → `0 3 * * *`). */
export function normalizeCron(expression: string): string {
  return expression.trim().split(/\s+/).join(' ');
}
