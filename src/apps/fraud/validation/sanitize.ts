/**
 * Neutralises free text (names, addresses, merchant names) against script and SQL injection
 * payloads before it reaches dashboards, Slack messages, SQL sinks or analysts (seed 000:
 * "XSS and SQL injection protection, data sanitization").
 *
 * This is defence in depth and a fraud signal, not the only protection: SQL sinks use bound
 * parameters and HTML views escape output. What it does:
 * - script: `<script>…</script>` and `<style>` blocks are removed with their content, every other
 *   tag is stripped, `javascript:`/`vbscript:`/`data:text/html` schemes and `on…=` handlers are
 *   removed, stray `<` `>` are escaped;
 * - SQL: when a value looks like an injection (quote-break tautology, UNION SELECT, stacked
 *   statement, comment sequence, time-based probe) the statement separators and comment
 *   sequences are removed and straight quotes become typographic ones (O'Brien stays readable,
 *   the payload stays inert);
 * - control characters (other than tab and newline) are removed.
 * Each finding is reported so the record can be flagged.
 */

export type TextFinding = 'xss' | 'sqli' | 'control';

export interface NeutralizedText {
  text: string;
  findings: TextFinding[];
}

// Cheap pre-check: most values have none of these characters and skip every regex below.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const SUSPICIOUS_CHARS = /[<>;'"\-/*\\:=()\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const SQL_KEYWORDS = /\b(?:union|select|waitfor|xp_cmdshell)\b/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const SCRIPT_BLOCK = /<\s*(script|style)\b[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi;
const OPEN_SCRIPT = /<\s*(script|style)\b[^>]*>[\s\S]*$/gi;
const TAG = /<\s*\/?\s*[a-z!?][^>]*>?/gi;
const DANGEROUS_SCHEME = /\b(?:javascript|vbscript)\s*:|data\s*:\s*text\/html/gi;
const EVENT_HANDLER = /\bon[a-z]+\s*=/gi;
const ANGLE = /[<>]/g;

const SQLI_PATTERNS: readonly RegExp[] = [
  /['"`]\s*\)?\s*(?:or|and)\s+(?:['"`]?[\w]+['"`]?)\s*(?:=|like|<|>)\s*['"`]?[\w]*/i, // ' OR 1=1 / ' or 'a'='a
  /['"`]\s*\)?\s*(?:or|and)\s+['"`]?\d+['"`]?\s*(?:--|#|\/\*)/i,
  /\bunion\b\s+(?:all\s+)?\bselect\b/i,
  /;\s*(?:drop|delete|insert|update|alter|create|truncate|exec|execute|shutdown|grant)\b/i,
  /(?:^|[\s'"`)])--(?:\s|$)/, // trailing comment that cuts off the rest of a query
  /\/\*[\s\S]*?\*\//, // inline comment used to split keywords
  /\b(?:sleep|benchmark|pg_sleep)\s*\(|\bwaitfor\s+delay\b|\bxp_cmdshell\b/i,
  /\bselect\b[\s\S]+\bfrom\b[\s\S]*\b(?:information_schema|pg_catalog|sysobjects|users|passwords?)\b/i,
];

/**
 * False when `neutralizeText` would surely return the text unchanged with no findings (most values:
 * none of the characters or keywords any rule looks for), so a caller can skip it and its result.
 */
export function mayNeedNeutralizing(input: string): boolean {
  return SUSPICIOUS_CHARS.test(input) || SQL_KEYWORDS.test(input);
}

/**
 * @example
 *   neutralizeText('<script>alert(1)</script>Pizza'); // { text: 'Pizza', findings: ['xss'] }
 *   neutralizeText("x' OR '1'='1"); // { text: 'x’ OR ’1’=’1', findings: ['sqli'] }
 */
export function neutralizeText(input: string): NeutralizedText {
  if (!mayNeedNeutralizing(input)) return { text: input, findings: [] };
  const findings: TextFinding[] = [];
  let text = input;

  const withoutControl = text.replace(CONTROL, '');
  if (withoutControl !== text) {
    findings.push('control');
    text = withoutControl;
  }

  let xss = text
    .replace(SCRIPT_BLOCK, '')
    .replace(OPEN_SCRIPT, '')
    .replace(TAG, '')
    .replace(DANGEROUS_SCHEME, '')
    .replace(EVENT_HANDLER, '');
  // Stripping can reassemble a payload ("<scr<script>ipt>"): repeat until stable.
  for (let i = 0; i < 5; i++) {
    const again = xss
      .replace(SCRIPT_BLOCK, '')
      .replace(OPEN_SCRIPT, '')
      .replace(TAG, '')
      .replace(DANGEROUS_SCHEME, '')
      .replace(EVENT_HANDLER, '');
    if (again === xss) break;
    xss = again;
  }
  xss = xss.replace(ANGLE, (c) => (c === '<' ? '&lt;' : '&gt;'));
  if (xss !== text) {
    findings.push('xss');
    text = xss;
  }

  if (SQLI_PATTERNS.some((p) => p.test(text))) {
    findings.push('sqli');
    text = text
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/--/g, ' ')
      .replace(/;/g, ' ')
      .replace(/['`]/g, '’')
      .replace(/"/g, '”')
      .replace(/\s{2,}/g, ' ')
      .trim();
  }
  return { text, findings };
}
