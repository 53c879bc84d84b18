/** The fixed catalogues the simulated population is drawn from: merchant categories, names, jobs, tiers. */
import type { CustomerTier, PaymentMethod } from '../../events/index.ts';

export const CATEGORIES: ReadonlyArray<{
  name: string;
  card: string;
  basket: number;
  weight: number;
  menu: string[];
}> = [
  {
    name: 'pizza',
    card: 'food_dining',
    basket: 26,
    weight: 5,
    menu: ['Margherita', 'Pepperoni', 'Quattro Formaggi', 'Garlic Bread', 'Tiramisu'],
  },
  {
    name: 'burgers',
    card: 'food_dining',
    basket: 19,
    weight: 5,
    menu: ['Cheeseburger', 'Veggie Burger', 'Fries', 'Milkshake', 'Onion Rings'],
  },
  {
    name: 'sushi',
    card: 'food_dining',
    basket: 42,
    weight: 3,
    menu: ['Salmon Nigiri', 'Dragon Roll', 'Miso Soup', 'Edamame', 'Sashimi Set'],
  },
  {
    name: 'chinese',
    card: 'food_dining',
    basket: 28,
    weight: 4,
    menu: ['Kung Pao Chicken', 'Fried Rice', 'Dumplings', 'Chow Mein', 'Spring Rolls'],
  },
  {
    name: 'indian',
    card: 'food_dining',
    basket: 30,
    weight: 3,
    menu: ['Butter Chicken', 'Naan', 'Biryani', 'Samosa', 'Dal Makhani'],
  },
  {
    name: 'mexican',
    card: 'food_dining',
    basket: 22,
    weight: 3,
    menu: ['Tacos al Pastor', 'Burrito', 'Nachos', 'Quesadilla', 'Churros'],
  },
  {
    name: 'fine_dining',
    card: 'food_dining',
    basket: 95,
    weight: 1,
    menu: ['Tasting Menu', 'Wagyu Steak', 'Lobster', 'Wine Pairing'],
  },
  {
    name: 'grocery',
    card: 'grocery_net',
    basket: 64,
    weight: 3,
    menu: ['Produce Box', 'Dairy Pack', 'Pantry Staples', 'Household Bundle'],
  },
  {
    name: 'pharmacy',
    card: 'health_fitness',
    basket: 31,
    weight: 1,
    menu: ['Pain Relief', 'Vitamins', 'First Aid Kit', 'Cold Remedy'],
  },
  {
    name: 'convenience',
    card: 'misc_net',
    basket: 16,
    weight: 2,
    menu: ['Snacks', 'Soft Drinks', 'Ice Cream', 'Phone Charger'],
  },
  {
    name: 'alcohol',
    card: 'shopping_net',
    basket: 44,
    weight: 1,
    menu: ['Red Wine', 'Craft Beer 6-pack', 'Whisky', 'Champagne'],
  },
];

export const NAME_WORDS = [
  'Golden',
  'Urban',
  'Little',
  'Happy',
  'Blue',
  'Royal',
  'Corner',
  'Sunny',
  'Old Town',
  'Green',
  'Lucky',
  'Night',
];
export const NAME_NOUNS = [
  'Kitchen',
  'Table',
  'House',
  'Spot',
  'Express',
  'Bistro',
  'Garden',
  'Market',
  'Dragon',
  'Oven',
  'Grill',
  'Bowl',
];
export const FIRST_F = [
  'Jennifer',
  'Maria',
  'Aisha',
  'Yuki',
  'Sofia',
  'Emma',
  'Priya',
  'Chloe',
  'Fatima',
  'Ana',
  'Olivia',
  'Mei',
];
export const FIRST_M = [
  'James',
  'Carlos',
  'Kenji',
  'Lucas',
  'Omar',
  'Rahul',
  'Noah',
  'Ivan',
  'Tunde',
  'Liam',
  'Mateo',
  'Wei',
];
export const LAST = [
  'Smith',
  'Garcia',
  'Tanaka',
  'Silva',
  'Muller',
  'Khan',
  'Okafor',
  'Martin',
  'Rossi',
  'Patel',
  'Kim',
  'Novak',
  'Brown',
  'Lopez',
];
export const JOBS = [
  'Software engineer',
  'Nurse',
  'Teacher',
  'Accountant',
  'Chef',
  'Designer',
  'Lawyer',
  'Student',
  'Electrician',
  'Pharmacist',
  'Journalist',
  'Architect',
];
export const STREETS = [
  'Oak Street',
  'Maple Avenue',
  'Harbor Road',
  'Hill Lane',
  'Park Drive',
  'River Way',
  'Station Road',
  'Elm Court',
];
export const TIERS: readonly CustomerTier[] = ['bronze', 'silver', 'gold', 'platinum'];
export const TIER_WEIGHTS = [50, 30, 15, 5];
export const TIER_SPEND: Record<CustomerTier, number> = { bronze: 0.8, silver: 1, gold: 1.3, platinum: 1.8 };
export const EVERYDAY_PAYMENTS: readonly PaymentMethod[] = [
  'credit_card',
  'debit_card',
  'paypal',
  'apple_pay',
  'google_pay',
  'cash',
];
export const EVERYDAY_PAYMENT_WEIGHTS = [40, 25, 12, 10, 8, 5];
