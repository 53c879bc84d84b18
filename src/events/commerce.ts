/**
 * Commerce events: food-delivery orders (seed 000/001), payments, customer and merchant profiles,
 * product views and customer activity (seed 004). JSON on the wire; every event time is
 * `timestamp` in ms since the epoch (UTC), which is what the engine's default extractor reads.
 */
import { type Static, Type } from '@sinclair/typebox';
import { LabelFields } from './labels.ts';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const EpochMs = Type.Integer({ minimum: 0, description: 'ms since the epoch, UTC' });
const Money = Type.Number({ minimum: 0 });
const Latitude = Type.Number({ minimum: -90, maximum: 90 });
const Longitude = Type.Number({ minimum: -180, maximum: 180 });
const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });
const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' });

export const PAYMENT_METHODS = [
  'credit_card',
  'debit_card',
  'paypal',
  'apple_pay',
  'google_pay',
  'bank_transfer',
  'cash',
  'crypto',
] as const;
export const PaymentMethod = Type.Union(
  PAYMENT_METHODS.map((m) => Type.Literal(m)),
  { $id: 'PaymentMethod' },
);
export type PaymentMethod = Static<typeof PaymentMethod>;

export const CUSTOMER_TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
export const CustomerTier = Type.Union(CUSTOMER_TIERS.map((t) => Type.Literal(t)));
export type CustomerTier = Static<typeof CustomerTier>;

export const OrderItem = Type.Object({
  item_id: Id,
  name: Type.String({ minLength: 1 }),
  quantity: Type.Integer({ minimum: 1 }),
  unit_price: Money,
});
export type OrderItem = Static<typeof OrderItem>;

/** A food-delivery order (seed 000: UberEats orders; seed 001: fraud scoring fields). Key: customer_id. */
export const Order = Type.Object(
  {
    order_id: Id,
    customer_id: Id,
    merchant_id: Id,
    restaurant_name: Type.String({ minLength: 1 }),
    merchant_category: Type.String({ minLength: 1 }),
    amount: Money,
    currency: CurrencyCode,
    payment_method: PaymentMethod,
    country: CountryCode,
    city: Type.String({ minLength: 1 }),
    lat: Latitude,
    lon: Longitude,
    device_id: Id,
    ip_address: Type.String({ minLength: 3, maxLength: 45 }),
    items: Type.Array(OrderItem, { minItems: 1 }),
    /** event time: when the order was placed */
    timestamp: EpochMs,
    estimated_delivery_at: Type.Optional(EpochMs),
    ...LabelFields,
  },
  { $id: 'Order' },
);
export type Order = Static<typeof Order>;

export const PAYMENT_STATUSES = ['approved', 'declined', 'refunded'] as const;

/** A payment attempt for an order (seed 004 PaymentEvent). Key: customer_id. */
export const Payment = Type.Object(
  {
    payment_id: Id,
    order_id: Id,
    customer_id: Id,
    merchant_id: Id,
    amount: Money,
    currency: CurrencyCode,
    payment_method: PaymentMethod,
    status: Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s))),
    card_last4: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
    device_id: Id,
    ip_address: Type.String({ minLength: 3, maxLength: 45 }),
    timestamp: EpochMs,
    ...LabelFields,
  },
  { $id: 'Payment' },
);
export type Payment = Static<typeof Payment>;

/** Customer profile record for the customer table (compacted topic; key: customer_id). */
export const Customer = Type.Object(
  {
    customer_id: Id,
    name: Type.String({ minLength: 1 }),
    email: Type.String({ minLength: 3 }),
    tier: CustomerTier,
    account_created_at: EpochMs,
    home_country: CountryCode,
    home_city: Type.String({ minLength: 1 }),
    home_lat: Latitude,
    home_lon: Longitude,
    region: Type.String({ minLength: 1 }),
    preferred_payment_method: PaymentMethod,
    /** profile version time */
    timestamp: EpochMs,
  },
  { $id: 'Customer' },
);
export type Customer = Static<typeof Customer>;

/** Merchant profile record for the merchant table (compacted topic; key: merchant_id). */
export const Merchant = Type.Object(
  {
    merchant_id: Id,
    name: Type.String({ minLength: 1 }),
    category: Type.String({ minLength: 1 }),
    country: CountryCode,
    city: Type.String({ minLength: 1 }),
    lat: Latitude,
    lon: Longitude,
    /** 0 = known bad, 1 = excellent */
    reputation: Type.Number({ minimum: 0, maximum: 1 }),
    onboarded_at: EpochMs,
    timestamp: EpochMs,
  },
  { $id: 'Merchant' },
);
export type Merchant = Static<typeof Merchant>;

/** A product page view (seed 004 ProductViewEvent: trending products, recommendations). Key: customer_id. */
export const ProductView = Type.Object(
  {
    view_id: Id,
    customer_id: Id,
    product_id: Id,
    category: Type.String({ minLength: 1 }),
    price: Money,
    session_id: Id,
    timestamp: EpochMs,
  },
  { $id: 'ProductView' },
);
export type ProductView = Static<typeof ProductView>;

export const ACTIVITY_TYPES = [
  'login',
  'logout',
  'search',
  'view_product',
  'add_to_cart',
  'remove_from_cart',
  'checkout',
  'update_profile',
] as const;

/** A customer action (seed 004 CustomerActivityEvent: 5-min activity windows, 30-min sessions). Key: customer_id. */
export const CustomerActivity = Type.Object(
  {
    activity_id: Id,
    customer_id: Id,
    activity_type: Type.Union(ACTIVITY_TYPES.map((a) => Type.Literal(a))),
    session_id: Id,
    device_id: Id,
    ip_address: Type.String({ minLength: 3, maxLength: 45 }),
    product_id: Type.Optional(Id),
    category: Type.Optional(Type.String()),
    timestamp: EpochMs,
  },
  { $id: 'CustomerActivity' },
);
export type CustomerActivity = Static<typeof CustomerActivity>;
