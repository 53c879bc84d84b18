/** Cities the synthetic population lives in, with what the Order and Sparkov shapes need. */
export interface City {
  name: string;
  country: string;
  currency: string;
  region: string;
  /** US state for US cities; an ISO 3166-2 style subdivision otherwise (Sparkov's `state`) */
  state: string;
  zip: number;
  lat: number;
  lon: number;
  population: number;
  /** relative share of customers and merchants */
  weight: number;
}

export const CITIES: readonly City[] = [
  {
    name: 'New York',
    country: 'US',
    currency: 'USD',
    region: 'north_america',
    state: 'NY',
    zip: 10001,
    lat: 40.7128,
    lon: -74.006,
    population: 8_336_817,
    weight: 10,
  },
  {
    name: 'San Francisco',
    country: 'US',
    currency: 'USD',
    region: 'north_america',
    state: 'CA',
    zip: 94103,
    lat: 37.7749,
    lon: -122.4194,
    population: 808_437,
    weight: 6,
  },
  {
    name: 'Chicago',
    country: 'US',
    currency: 'USD',
    region: 'north_america',
    state: 'IL',
    zip: 60601,
    lat: 41.8781,
    lon: -87.6298,
    population: 2_665_039,
    weight: 6,
  },
  {
    name: 'Austin',
    country: 'US',
    currency: 'USD',
    region: 'north_america',
    state: 'TX',
    zip: 73301,
    lat: 30.2672,
    lon: -97.7431,
    population: 974_447,
    weight: 4,
  },
  {
    name: 'Toronto',
    country: 'CA',
    currency: 'CAD',
    region: 'north_america',
    state: 'ON',
    zip: 0,
    lat: 43.6532,
    lon: -79.3832,
    population: 2_794_356,
    weight: 4,
  },
  {
    name: 'Mexico City',
    country: 'MX',
    currency: 'MXN',
    region: 'latin_america',
    state: 'CMX',
    zip: 6000,
    lat: 19.4326,
    lon: -99.1332,
    population: 9_209_944,
    weight: 4,
  },
  {
    name: 'Sao Paulo',
    country: 'BR',
    currency: 'BRL',
    region: 'latin_america',
    state: 'SP',
    zip: 1000,
    lat: -23.5505,
    lon: -46.6333,
    population: 12_325_232,
    weight: 6,
  },
  {
    name: 'London',
    country: 'GB',
    currency: 'GBP',
    region: 'europe',
    state: 'LND',
    zip: 0,
    lat: 51.5072,
    lon: -0.1276,
    population: 8_866_180,
    weight: 7,
  },
  {
    name: 'Paris',
    country: 'FR',
    currency: 'EUR',
    region: 'europe',
    state: 'IDF',
    zip: 75001,
    lat: 48.8566,
    lon: 2.3522,
    population: 2_102_650,
    weight: 5,
  },
  {
    name: 'Berlin',
    country: 'DE',
    currency: 'EUR',
    region: 'europe',
    state: 'BE',
    zip: 10115,
    lat: 52.52,
    lon: 13.405,
    population: 3_677_472,
    weight: 5,
  },
  {
    name: 'Madrid',
    country: 'ES',
    currency: 'EUR',
    region: 'europe',
    state: 'MD',
    zip: 28001,
    lat: 40.4168,
    lon: -3.7038,
    population: 3_332_035,
    weight: 3,
  },
  {
    name: 'Lagos',
    country: 'NG',
    currency: 'NGN',
    region: 'africa',
    state: 'LA',
    zip: 100001,
    lat: 6.5244,
    lon: 3.3792,
    population: 15_388_000,
    weight: 2,
  },
  {
    name: 'Mumbai',
    country: 'IN',
    currency: 'INR',
    region: 'asia_pacific',
    state: 'MH',
    zip: 400001,
    lat: 19.076,
    lon: 72.8777,
    population: 12_442_373,
    weight: 4,
  },
  {
    name: 'Singapore',
    country: 'SG',
    currency: 'SGD',
    region: 'asia_pacific',
    state: 'SG',
    zip: 18956,
    lat: 1.3521,
    lon: 103.8198,
    population: 5_637_000,
    weight: 3,
  },
  {
    name: 'Tokyo',
    country: 'JP',
    currency: 'JPY',
    region: 'asia_pacific',
    state: 'TK',
    zip: 1000001,
    lat: 35.6762,
    lon: 139.6503,
    population: 13_960_000,
    weight: 5,
  },
  {
    name: 'Sydney',
    country: 'AU',
    currency: 'AUD',
    region: 'asia_pacific',
    state: 'NSW',
    zip: 2000,
    lat: -33.8688,
    lon: 151.2093,
    population: 5_312_163,
    weight: 3,
  },
  {
    name: 'Moscow',
    country: 'RU',
    currency: 'RUB',
    region: 'europe',
    state: 'MOW',
    zip: 101000,
    lat: 55.7558,
    lon: 37.6173,
    population: 12_655_050,
    weight: 1,
  },
];

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLon = (lon2 - lon1) * toRad;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
