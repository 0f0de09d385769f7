/**
 * How alike two table or column names are, for `syncline init --from … --to …`: names are split
 * into words (snake_case, camelCase), system prefixes (`crm_`, `erp_`, `t_`, `tbl_`) are dropped,
 * words are made singular, and a few common synonyms of CRM and ERP vocabularies count as equal.
 */

/** Prefixes that name a system or a kind of object rather than the object itself. */
const PREFIXES: ReadonlySet<string> = new Set(['crm', 'erp', 't', 'tb', 'tbl', 'tab', 'dbo', 'app']);

/** Irregular plurals; the rest follow the English rules in `singular`. */
const IRREGULAR: Readonly<Record<string, string>> = {
  people: 'person',
  children: 'child',
  data: 'data',
  status: 'status',
  address: 'address',
  business: 'business',
};

/**
 * Groups of names that mean the same object or value; the first of a group is its canonical
 * form. Multi-word entries are matched on the whole name, after singular forms.
 */
const SYNONYMS: readonly (readonly string[])[] = [
  ['customer', 'account', 'client'],
  ['contact', 'person'],
  ['sales_order', 'order', 'sale_order', 'sale'],
  ['sales_order_line', 'order_line', 'order_item', 'line_item', 'sale_order_line', 'sale_order_item'],
  ['product', 'item', 'article'],
  ['invoice', 'bill'],
  ['name', 'title', 'full_name', 'display_name'],
  ['email', 'email_address', 'mail', 'e_mail'],
  ['phone', 'telephone', 'phone_number', 'tel', 'mobile'],
  ['postal_code', 'zip', 'zip_code', 'postcode'],
  ['amount', 'total', 'total_amount', 'amount_total'],
  ['quantity', 'qty'],
  ['note', 'comment', 'remark', 'description'],
  ['code', 'number', 'no', 'ref', 'reference'],
];

/**
 * Objects that are close but not the same (a deal is a sales order to be): they match more weakly
 * than synonyms, so a user reviews the flow.
 */
const RELATED: readonly (readonly [string, string])[] = [
  ['deal', 'sales_order'],
  ['opportunity', 'sales_order'],
  ['lead', 'contact'],
  ['company', 'customer'],
  ['organization', 'customer'],
];

const CANONICAL = new Map<string, string>(
  SYNONYMS.flatMap((group) => group.map((name): [string, string] => [name, group[0] ?? name])),
);

/** The singular of an English word, by the common rules; short words are left alone. */
export function singular(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular !== undefined) return irregular;
  if (word.length <= 3) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/**
 * The words of a table name: `crm_SalesOrders` → `['sales', 'order']` (prefixes dropped,
 * singular). With `keepPrefixes` (column names: `crm_id` is not `id`) nothing is dropped.
 */
export function nameWords(name: string, keepPrefixes = false): string[] {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
  while (!keepPrefixes && words.length > 1 && PREFIXES.has(words[0] ?? '')) words.shift();
  return words.map(singular);
}

/** A name in its canonical form: words joined by `_`, a synonym replaced by its group's first name. */
export function canonicalName(name: string, keepPrefixes = false): string {
  const joined = nameWords(name, keepPrefixes).join('_');
  return CANONICAL.get(joined) ?? joined;
}

/** Canonical words, each word replaced by its synonym group's name where it has one. */
function canonicalWords(name: string, keepPrefixes: boolean): string[] {
  return nameWords(name, keepPrefixes).map((word) => CANONICAL.get(word) ?? word);
}

function bigrams(text: string): string[] {
  const grams: string[] = [];
  for (let i = 0; i < text.length - 1; i += 1) grams.push(text.slice(i, i + 2));
  return grams;
}

/** Sørensen–Dice coefficient of the letter pairs of two texts, 0 … 1. */
function dice(a: string, b: string): number {
  const left = bigrams(a);
  const right = bigrams(b);
  if (left.length === 0 || right.length === 0) return a === b ? 1 : 0;
  const counts = new Map<string, number>();
  for (const gram of left) counts.set(gram, (counts.get(gram) ?? 0) + 1);
  let shared = 0;
  for (const gram of right) {
    const count = counts.get(gram) ?? 0;
    if (count > 0) {
      shared += 1;
      counts.set(gram, count - 1);
    }
  }
  return (2 * shared) / (left.length + right.length);
}

/**
 * How alike two names are, 0 … 1: 1 for the same canonical name (`accounts` and `Customer`,
 * `crm_contacts` and `persons`), 0.8 for related objects (`deals` and `sales_orders`), else the
 * larger of the shared words' share and the letter-pair likeness of the canonical names.
 */
export function nameSimilarity(a: string, b: string, keepPrefixes = false): number {
  const left = canonicalName(a, keepPrefixes);
  const right = canonicalName(b, keepPrefixes);
  if (left === right) return 1;
  const isRelated = RELATED.some(
    ([x, y]) => (canonicalName(x) === left && y === right) || (canonicalName(x) === right && y === left),
  );
  if (isRelated) return 0.8;
  const leftList = canonicalWords(a, keepPrefixes);
  const rightList = canonicalWords(b, keepPrefixes);
  if (leftList.join('_') === rightList.join('_')) return 0.95;
  const leftWords = new Set(leftList);
  const rightWords = new Set(rightList);
  const shared = [...leftWords].filter((word) => rightWords.has(word)).length;
  const wordScore = (2 * shared) / (leftWords.size + rightWords.size || 1);
  return Math.max(wordScore * 0.9, dice(left, right) * 0.85);
}

/** A column name without leading words that repeat its table's name: `customer_name` in `customers` → `name`. */
export function withoutTableWords(column: string, table: string): string {
  const words = nameWords(column, true);
  const tableName = canonicalName(table);
  for (let count = words.length - 1; count >= 1; count -= 1) {
    if (canonicalName(words.slice(0, count).join('_')) === tableName) return words.slice(count).join('_');
  }
  return words.join('_');
}

/**
 * How alike two column names are, 0 … 1, each read in its own table: `name` in `accounts` and
 * `customer_name` in `customers` are alike. Prefixes are kept (`crm_id` is not `id`).
 */
export function columnSimilarity(
  source: { readonly column: string; readonly table: string },
  target: { readonly column: string; readonly table: string },
): number {
  const plain = nameSimilarity(source.column, target.column, true);
  const bare = nameSimilarity(
    withoutTableWords(source.column, source.table),
    withoutTableWords(target.column, target.table),
    true,
  );
  return Math.max(plain, bare * 0.95);
}
