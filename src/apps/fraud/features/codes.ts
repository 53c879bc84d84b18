/**
 * Stable numeric codes for categorical fields, so a model trained today scores the same tomorrow.
 * Known values get their index in a published list; anything else gets a stable hash code ≥ 1000
 * (never a code that depends on the order values were seen in).
 */
export const KNOWN_CATEGORIES = [
  'entertainment',
  'food_dining',
  'gas_transport',
  'grocery_net',
  'grocery_pos',
  'health_fitness',
  'home',
  'kids_pets',
  'misc_net',
  'misc_pos',
  'personal_care',
  'shopping_net',
  'shopping_pos',
  'travel',
  'electronics',
  'fashion',
  'digital_goods',
  'gift_cards',
  'crypto',
  'gambling',
] as const;

export const KNOWN_PAYMENT_METHODS = [
  'credit_card',
  'debit_card',
  'paypal',
  'bank_transfer',
  'apple_pay',
  'google_pay',
  'crypto',
  'gift_card',
  'cash_on_delivery',
] as const;

const categoryIndex = new Map<string, number>(KNOWN_CATEGORIES.map((c, i) => [c, i]));
const paymentIndex = new Map<string, number>(KNOWN_PAYMENT_METHODS.map((c, i) => [c, i]));

/** FNV-1a 32-bit: a stable hash for codes of unknown values. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** @example categoryCode('grocery_pos') // 4 */
export function categoryCode(category: string): number {
  return categoryIndex.get(category.toLowerCase()) ?? 1000 + (fnv1a(category.toLowerCase()) % 100_000);
}

/** NaN when the payment method is absent. */
export function paymentMethodCode(method: string | undefined): number {
  if (method === undefined || method === '') return Number.NaN;
  return paymentIndex.get(method.toLowerCase()) ?? 1000 + (fnv1a(method.toLowerCase()) % 100_000);
}
