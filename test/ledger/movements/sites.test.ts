import { describe, expect, it } from 'vitest';
import { buildDeliverySites } from '../../../src/ledger/deliveries/sites.js';
import { normalizeKey, keyOrNull } from '../../../src/ledger/movements/keys.js';
import { buildSites, siteRowsOf } from '../../../src/ledger/movements/sites.js';
import { buildSiteDirectory } from '../../../src/ledger/serials/sites.js';

const ROWS = siteRowsOf({
  name: 'sites',
  columns: ['site', 'plant', 'storageLocation'],
  rows: [
    ['S0123', '0123', '0001'],
    ['DC01', '1000', ' 0001 '],
    ['', '9999', ''],
    ['DC02', '2000', ''],
  ],
});

describe('the leading-zero rule (ALPHA output form)', () => {
  it('drops leading zeros of an all-digit key, keeps one zero, trims, leaves other keys alone', () => {
    expect(normalizeKey('0080000191')).toBe('80000191');
    expect(normalizeKey(' 000000000000004711 ')).toBe('4711');
    expect(normalizeKey('0000')).toBe('0');
    expect(normalizeKey('AB-0012')).toBe('AB-0012');
    expect(normalizeKey('0012A')).toBe('0012A');
    expect(normalizeKey(undefined)).toBe('');
    expect(keyOrNull('   ')).toBeNull();
    expect(keyOrNull('007')).toBe('7');
  });
});

describe('the site directory', () => {
  it('reads the sites table by column name, trimmed, without blank sites', () => {
    expect(ROWS).toEqual([
      { site: 'S0123', plant: '0123', storageLocation: '0001' },
      { site: 'DC01', plant: '1000', storageLocation: '0001' },
      { site: 'DC02', plant: '2000', storageLocation: null },
    ]);
  });

  it('one rule for a plant: a known site, else the plant itself marked unknown; plants compared without zeros', () => {
    const sites = buildSites(ROWS, { plants: { DC03: ['3000'] } });
    expect(sites.plant('123')).toEqual({ site: 'S0123', known: true });
    expect(sites.plant('0123')).toEqual({ site: 'S0123', known: true });
    expect(sites.plant('3000')).toEqual({ site: 'DC03', known: true });
    expect(sites.plant('04711')).toEqual({ site: '4711', known: false });
    expect(sites.plant('  ')).toBeNull();
    expect(sites.sites).toEqual(['DC01', 'DC02', 'DC03', 'S0123']);
  });

  it('the two ledgers apply that rule: the delivery ledger knows no unknown plant, the serial ledger places it', () => {
    expect(buildDeliverySites(ROWS).siteOfPlant('4711')).toBeNull();
    expect(buildDeliverySites(ROWS).siteOfPlant('01000')).toBe('DC01');
    const serials = buildSiteDirectory(ROWS, { sites: {}, transit: [] });
    expect(serials.siteOfPlant('04711')).toBe('4711');
    expect(serials.siteOfPlant('01000')).toBe('DC01');
  });

  it('ship-to partners: the map first; site codes and plant numbers only with the site-or-plant fallback', () => {
    const strict = buildSites(ROWS, { shipTo: { '0000100201': 'S0123' } });
    expect(strict.siteOfShipTo('100201')).toBe('S0123');
    expect(strict.siteOfShipTo('1000')).toBeNull();
    expect(strict.siteOfShipTo('DC02')).toBeNull();
    const loose = buildSites(ROWS, { shipTo: { '100201': 'S0123' }, shipToFallback: 'site-or-plant' });
    expect(loose.siteOfShipTo('0000100201')).toBe('S0123');
    expect(loose.siteOfShipTo('0000001000')).toBe('DC01');
    expect(loose.siteOfShipTo('DC02')).toBe('DC02');
    expect(loose.siteOfShipTo('555')).toBeNull();
  });

  it('shipping points, stores, storage locations and transit times', () => {
    const sites = buildSites(ROWS, {
      shippingPoints: { V100: 'DC01' },
      stores: ['S0123'],
      transit: [
        { from: 'DC01', to: 'S0123', minHours: 2 },
        { from: 'DC02', to: 'S0123', minHours: 5 },
        { from: 'S0123', to: 'DC02', minHours: 7 },
      ],
    });
    expect(sites.siteOfShippingPoint('V100')).toBe('DC01');
    expect(sites.siteOfShippingPoint('2000')).toBe('DC02');
    expect(sites.siteOfShippingPoint('V999')).toBeNull();
    expect([sites.isStore('S0123'), sites.isStore('DC01')]).toEqual([true, false]);
    expect(buildSites(ROWS).isStore('DC01')).toBe(true);
    expect([sites.storageLocationOf('DC01'), sites.storageLocationOf('DC02')]).toEqual(['0001', null]);
    expect(sites.plantOf('S0123')).toBe('0123');
    expect(sites.minTransitMs('S0123', 'DC01')).toBe(2 * 3_600_000);
    expect(sites.minTransitMs('S0123', 'DC02')).toBe(7 * 3_600_000);
    expect(sites.minTransitMs('DC02', 'S0123')).toBe(5 * 3_600_000);
    expect(sites.minTransitMs('DC01', 'DC02')).toBeUndefined();
  });
});
