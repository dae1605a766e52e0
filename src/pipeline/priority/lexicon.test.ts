import { describe, expect, it } from 'vitest';
import type { IndicatorField } from '../../domain/decision.ts';
import {
  compileLexicons,
  EMPTY_LEXICON,
  normaliseForMatching,
  parseLexicon,
  type Lexicon,
} from './lexicon.ts';

// Neutral placeholder tokens only: real indicator lexicons are supplied by agencies at run time.
const lexicon = (name: string, terms: Record<string, number>): Lexicon => ({
  name,
  terms: Object.entries(terms).map(([term, weight]) => ({ term, weight })),
});
const matcher = compileLexicons([
  lexicon('list-a', { tokenalpha: 3, 'zeta-term': 2, 'placeholder one': 1 }),
  lexicon('list-b', { tokenalpha: 5, sample: 1 }),
]);
const find = (text: string, field: IndicatorField = 'text') =>
  matcher.match([{ field, text }]).map((h) => `${h.list}:${h.term}`);

describe('lexicon parsing', () => {
  it('reads CSV with an optional header and # comments, a bare term weighing 1', () => {
    const r = parseLexicon(
      'l',
      '# agency list\nterm,weight\ntokenalpha,3\n\n"zeta, term",2.5\nsample\n',
      'csv',
    );
    expect(r).toEqual({
      ok: true,
      value: {
        name: 'l',
        terms: [
          { term: 'tokenalpha', weight: 3 },
          { term: 'zeta, term', weight: 2.5 },
          { term: 'sample', weight: 1 },
        ],
      },
    });
    expect(parseLexicon('l', 'tokenalpha,3\r\nsample,1\r\n', 'csv').ok).toBe(true);
  });

  it('reads JSON, and what Conduit stores (with its name) reads back the same', () => {
    const r = parseLexicon('l', JSON.stringify({ terms: [{ term: 'tokenalpha', weight: 3 }] }), 'json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(parseLexicon('l', JSON.stringify(r.value), 'json')).toEqual(r);
  });

  it('names the line of each CSV problem: empty term, bad weight, duplicate after normalisation', () => {
    const r = parseLexicon(
      'l',
      'term,weight\n,2\ntokenalpha,0\nsample,abc\nzeta,Infinity\nTOKEN4LPHA,1\ntokenalpha,2\n',
      'csv',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual([
      'line 2/term',
      'line 3/weight',
      'line 4/weight',
      'line 5/weight',
      'line 7',
    ]);
    expect(r.problems[4]?.message).toContain('line 6');
  });

  it('names the JSON path of each problem', () => {
    const r = parseLexicon(
      'l',
      JSON.stringify({
        terms: [
          { term: '', weight: 1 },
          { term: 'a', weight: -1 },
          { term: 'b', weight: 1, x: 1 },
        ],
        y: 2,
      }),
      'json',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path).sort()).toEqual([
      '/terms/0/term',
      '/terms/1/weight',
      '/terms/2/x',
      '/y',
    ]);
    expect(parseLexicon('l', '{ not json', 'json')).toMatchObject({
      ok: false,
      problems: [{ code: 'malformed_input' }],
    });
    expect(parseLexicon('l', '# only a comment\n', 'csv')).toMatchObject({ ok: false });
    expect(parseLexicon('l', '!!!,1\n', 'csv')).toMatchObject({ ok: false, problems: [{ path: 'line 1' }] });
  });
});

describe('lexicon normalisation', () => {
  it('joins spaced single characters whatever the separator', () => {
    for (const t of ['t.e.r.m', 't-e-r-m', 't_e_r_m', 't e r m', 't . e . r . m'])
      expect(normaliseForMatching(t)).toEqual(['term']);
    // A one-letter word before a whole word is left alone.
    expect(normaliseForMatching('a term')).toEqual(['a', 'term']);
  });

  it('undoes leetspeak in words with letters, not in plain numbers', () => {
    expect(normaliseForMatching('T0K3N4LPH4')).toEqual(normaliseForMatching('tokenalpha'));
    expect(normaliseForMatching('$ample')).toEqual(normaliseForMatching('sample'));
    expect(normaliseForMatching('s@mp1e')).toEqual(normaliseForMatching('sample'));
    expect(normaliseForMatching('2026 1337')).toEqual(['2026', '1337']);
  });

  it('folds look-alikes: fullwidth, Cyrillic/Greek letters, mathematical letters, accents', () => {
    const plain = normaliseForMatching('tokenalpha');
    expect(normaliseForMatching('ｔｏｋｅｎａｌｐｈａ')).toEqual(plain);
    expect(normaliseForMatching('t\u043eken\u0430lpha')).toEqual(plain); // Cyrillic о, а
    expect(normaliseForMatching('t\u03bfkenalpha')).toEqual(plain); // Greek ο
    expect(normaliseForMatching('𝐭𝐨𝐤𝐞𝐧𝐚𝐥𝐩𝐡𝐚')).toEqual(plain);
    expect(normaliseForMatching('tökënälphä')).toEqual(plain);
  });

  it('treats a leading @ and trailing ! as punctuation, not letters', () => {
    expect(normaliseForMatching('@tokenalpha!')).toEqual(normaliseForMatching('tokenalpha'));
  });
});

describe('lexicon matching', () => {
  it('finds a term with its list, term, weight and field, never the text around it', () => {
    const hits = matcher.match([{ field: 'chat', text: 'secret context before tokenalpha and after' }]);
    expect(hits).toEqual([
      { list: 'list-a', term: 'tokenalpha', weight: 3, field: 'chat' },
      { list: 'list-b', term: 'tokenalpha', weight: 5, field: 'chat' },
    ]);
    expect(JSON.stringify(hits)).not.toContain('secret');
  });

  it('matches through separators, leetspeak and look-alikes', () => {
    for (const t of [
      't.o.k.e.n.a.l.p.h.a',
      't o k e n a l p h a',
      'T0K3N4LPH4',
      't\u043eken\u0430lpha',
      'ｔｏｋｅｎａｌｐｈａ',
    ])
      expect(find(t)).toContain('list-a:tokenalpha');
  });

  it('matches whole words only', () => {
    expect(find('tokenalphas')).toEqual([]);
    expect(find('pretokenalpha')).toEqual([]);
    expect(find('examples')).toEqual([]);
    expect(find('(tokenalpha).')).toContain('list-a:tokenalpha');
  });

  it('matches multi-word terms as word sequences, and pieces glued by . - _', () => {
    expect(find('this placeholder one here')).toEqual(['list-a:placeholder one']);
    expect(find('Placeholder   ONE')).toEqual(['list-a:placeholder one']);
    expect(find('placeholder two one')).toEqual([]);
    expect(find('placeholderone')).toEqual([]);
    expect(find('zeta term')).toEqual(['list-a:zeta-term']);
    expect(find('zeta_term')).toEqual(['list-a:zeta-term']);
    expect(find('token_alpha', 'screen-name')).toContain('list-a:tokenalpha');
    expect(find('token.alpha', 'screen-name')).toContain('list-a:tokenalpha');
    expect(find('token alpha')).toEqual([]);
  });

  it('reports one hit per list, term and field', () => {
    const hits = matcher.match([
      { field: 'text', text: 'sample sample' },
      { field: 'text', text: 's a m p l e' },
      { field: 'file-name', text: 'sample.jpg' },
    ]);
    expect(hits).toEqual([
      { list: 'list-b', term: 'sample', weight: 1, field: 'text' },
      { list: 'list-b', term: 'sample', weight: 1, field: 'file-name' },
    ]);
  });

  it('lists the compiled lists by name and size; the empty matcher finds nothing', () => {
    expect(matcher.lists).toEqual([
      { name: 'list-a', terms: 3 },
      { name: 'list-b', terms: 2 },
    ]);
    expect(EMPTY_LEXICON.match([{ field: 'text', text: 'tokenalpha' }])).toEqual([]);
    expect(compileLexicons([]).match([{ field: 'text', text: 'tokenalpha' }])).toEqual([]);
  });
});
