/**
 * IP addresses that geolocate, for scenarios that must exercise geolocation (DESIGN.md, "Synthetic
 * data": random addresses drawn from the geo database's own country ranges). Each address is drawn
 * from the database itself, so it is placed in the country asked for by that database file; another
 * database (or a later DB-IP build) may place it elsewhere, which is why the default is the
 * documentation ranges and this is opt-in.
 */
import type { GeoDatabase } from '../adapters/geo.ts';
import { formatIpv6 } from './identifiers.ts';
import type { Prng } from './prng.ts';

/** Tries before concluding that no acceptable address is left (most draws succeed within a few). */
const MAX_TRIES = 100_000;

/** IPv6 networks kept per country (a uniform sample of the database's, so memory stays small). */
const NETWORKS_PER_COUNTRY = 4096;

/** Networks shorter than this are vast unallocated blocks some databases file under one country. */
const MIN_IPV6_PREFIX = 20;

interface Ipv4Networks {
  readonly starts: number[];
  /** Running total of the networks' sizes, for a draw uniform over the country's addresses. */
  readonly ends: number[];
  total: number;
}

interface Ipv6Networks {
  /** The first 64 bits of each network, as two 32-bit halves, and its prefix length (≤ 64). */
  readonly hi: number[];
  readonly lo: number[];
  readonly length: number[];
  seen: number;
}

/**
 * Hands out addresses by country: fresh IPv4 (never the same twice), per-person IPv6, VPN exits in some
 * other country, and stable stand-ins for the documentation lines the scenario shares between people.
 * Deterministic for the same database file and the same sequence of calls.
 */
export class GeoAddressBook {
  private readonly used = new Set<number>();
  /** Stand-ins for documentation lines, by country. */
  private readonly lines = new Map<string, Map<string, string>>();
  private v4: Map<string, Ipv4Networks> | undefined;
  private v6: Map<string, Ipv6Networks> | undefined;

  constructor(
    private readonly db: GeoDatabase,
    private readonly rng: Prng,
    /** The countries persons live in: only their networks are collected. */
    private readonly countries: readonly string[],
  ) {}

  /**
   * The address standing in for documentation address `doc` in `country`: the same for every person of
   * that country, so a gateway or home line is shared only by people of one country, as with a carrier.
   */
  line(country: string, doc: string): string {
    let lines = this.lines.get(country);
    if (lines === undefined) {
      lines = new Map();
      this.lines.set(country, lines);
    }
    let ip = lines.get(doc);
    if (ip === undefined) {
      ip = this.ipv4(country);
      lines.set(doc, ip);
    }
    return ip;
  }

  /**
   * A public IPv4 address the database places in `country`, never handed out before: uniform over the
   * country's addresses (a draw inside its networks, weighted by size, rather than rejection over the
   * whole space, where a small country is hit once in 200 tries).
   */
  ipv4(country: string): string {
    const nets = this.ipv4Networks().get(country);
    if (nets !== undefined && nets.total > 0) {
      const rng = this.rng;
      for (let tries = 0; tries < MAX_TRIES; tries++) {
        const offset = Math.floor(rng.float() * nets.total);
        const k = firstAbove(nets.ends, offset);
        const x = ((nets.starts[k] ?? 0) + offset - ((nets.ends[k] ?? 0) - sizeOf(nets, k))) >>> 0;
        if (!isPublicIpv4(x) || this.used.has(x)) continue;
        this.used.add(x);
        return ipv4Text(x);
      }
    }
    throw new Error(`geo database ${this.db.source}: no IPv4 address left in ${country}`);
  }

  /** A public IPv4 address the database places in any country but `country` (a VPN exit). */
  elsewhere(country: string): string {
    const rng = this.rng;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const x = rng.u32();
      if (!isPublicIpv4(x) || this.used.has(x)) continue;
      const ip = ipv4Text(x);
      const hit = this.db.lookup(ip);
      if (hit === null || hit.country === country) continue;
      this.used.add(x);
      return ip;
    }
    throw new Error(`geo database ${this.db.source}: no IPv4 address found outside ${country}`);
  }

  /**
   * An IPv6 address inside one of the database's networks for `country`; its last 32 bits are `token`,
   * so distinct tokens never give the same address.
   */
  ipv6(country: string, token: number): string {
    const nets = this.networks().get(country);
    if (nets === undefined || nets.hi.length === 0) {
      throw new Error(`geo database ${this.db.source}: no IPv6 networks placed in ${country}`);
    }
    const rng = this.rng;
    const k = rng.int(nets.hi.length);
    const len = nets.length[k] ?? 64;
    // Keep the network's leading `len` bits, draw the rest of the first 64.
    const hi = mixBits(nets.hi[k] ?? 0, rng.u32(), len);
    const lo = mixBits(nets.lo[k] ?? 0, rng.u32(), Math.max(0, len - 32));
    const iid = rng.u32();
    return formatIpv6([
      hi >>> 16,
      hi & 0xffff,
      lo >>> 16,
      lo & 0xffff,
      iid >>> 16,
      iid & 0xffff,
      token >>> 16,
      token & 0xffff,
    ]);
  }

  /** Walks the database's IPv4 space once, keeping the networks of the persons' countries. */
  private ipv4Networks(): Map<string, Ipv4Networks> {
    if (this.v4 !== undefined) return this.v4;
    const wanted = new Map<string, Ipv4Networks>(
      this.countries.map((c) => [c, { starts: [], ends: [], total: 0 }]),
    );
    this.db.forEachNetwork('0.0.0.0/0', 32, (bytes, length, hit) => {
      const nets = wanted.get(hit.country);
      if (nets === undefined) return;
      nets.starts.push(u32At(bytes, 0));
      nets.total += 2 ** (32 - length);
      nets.ends.push(nets.total);
    });
    this.v4 = wanted;
    return wanted;
  }

  /** Walks the database's global unicast space once, keeping a uniform sample of networks per country. */
  private networks(): Map<string, Ipv6Networks> {
    if (this.v6 !== undefined) return this.v6;
    const wanted = new Map<string, Ipv6Networks>(
      this.countries.map((c) => [c, { hi: [], lo: [], length: [], seen: 0 }]),
    );
    const rng = this.rng;
    this.db.forEachNetwork('2000::/3', 64, (bytes, length, hit) => {
      const nets = wanted.get(hit.country);
      if (nets === undefined || length < MIN_IPV6_PREFIX) return;
      const hi = u32At(bytes, 0);
      if (isSpecialIpv6(hi)) return;
      const lo = u32At(bytes, 4);
      // Reservoir sampling: every network of the country is equally likely to be kept.
      const slot = nets.seen < NETWORKS_PER_COUNTRY ? nets.seen : rng.int(nets.seen + 1);
      nets.seen++;
      if (slot >= NETWORKS_PER_COUNTRY) return;
      nets.hi[slot] = hi;
      nets.lo[slot] = lo;
      nets.length[slot] = length;
    });
    this.v6 = wanted;
    return wanted;
  }
}

function sizeOf(nets: Ipv4Networks, k: number): number {
  return (nets.ends[k] ?? 0) - (k === 0 ? 0 : (nets.ends[k - 1] ?? 0));
}

/** The index of the first element of the ascending `ends` greater than `x`. */
function firstAbove(ends: readonly number[], x: number): number {
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ends[mid] ?? 0) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function u32At(bytes: Uint8Array, i: number): number {
  return (
    ((bytes[i] ?? 0) * 0x1000000 +
      ((bytes[i + 1] ?? 0) << 16) +
      ((bytes[i + 2] ?? 0) << 8) +
      (bytes[i + 3] ?? 0)) >>>
    0
  );
}

function ipv4Text(x: number): string {
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

/** The first `keep` bits (0–32) from `fixed`, the rest from `random`. */
function mixBits(fixed: number, random: number, keep: number): number {
  if (keep >= 32) return fixed >>> 0;
  if (keep <= 0) return random >>> 0;
  const mask = (0xffffffff << (32 - keep)) >>> 0;
  return ((fixed & mask) | (random & ~mask)) >>> 0;
}

/**
 * Outside every special-purpose block (RFC 6890 and friends): this-network, private, CGNAT, loopback,
 * link-local, IETF protocol assignments, documentation, 6to4 relay, benchmarking, multicast, reserved.
 * Network (.0) and broadcast-looking (.255) last octets are skipped too, to look like host addresses.
 */
export function isPublicIpv4(x: number): boolean {
  const a = x >>> 24;
  const b = (x >>> 16) & 255;
  const c = (x >>> 8) & 255;
  const d = x & 255;
  if (d === 0 || d === 255) return false;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b < 128) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b < 32) return false;
  if (a === 192 && (b === 168 || (b === 0 && (c === 0 || c === 2)) || (b === 88 && c === 99))) return false;
  if (a === 198 && (b === 18 || b === 19 || (b === 51 && c === 100))) return false;
  if (a === 203 && b === 0 && c === 113) return false;
  return true;
}

/** 2001:0000::/23 (IETF special purpose: Teredo, ORCHID, benchmarking…), 2001:db8::/32 and 6to4 2002::/16. */
function isSpecialIpv6(first32: number): boolean {
  const g0 = first32 >>> 16;
  const g1 = first32 & 0xffff;
  return g0 === 0x2002 || (g0 === 0x2001 && (g1 < 0x0200 || g1 === 0x0db8));
}
