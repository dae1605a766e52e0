import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { LEXICON_FORMATS, RULE_KINDS, type RulesService } from '../rules/rules.service.ts';
import { contextOf } from './auth.ts';
import { BODY_LIMITS, jsonBody } from './body.ts';
import { answer, sendProblems } from './errors.ts';

/** A lexicon file travels inside JSON; agencies' lists run to thousands of terms, not millions. */
export const LEXICON_BODY_LIMIT = 4 * 1024 * 1024;

const Kind = Type.Object({ kind: Type.Union(RULE_KINDS.map((k) => Type.Literal(k))) });
const Name = Type.Object({ name: Type.String({ minLength: 1, maxLength: 63 }) });
const AnyJson = Type.Unknown();
const LexiconBody = Type.Object(
  {
    format: Type.Union(LEXICON_FORMATS.map((f) => Type.Literal(f))),
    content: Type.String({
      description: 'the file: CSV `term,weight` lines, or JSON {terms:[{term,weight}]}',
    }),
  },
  { additionalProperties: false },
);

/** Routing and priority rules (show, validate, load) and indicator lexicons (names and sizes only). */
export function rulesRoutes(rules: RulesService): FastifyPluginAsync {
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  return async (app) => {
    app.get(
      '/rules/:kind',
      { config: { access: 'rules.read' }, schema: { summary: 'The rules in force', params: Kind } },
      async (req, reply) => {
        const { kind } = req.params as { kind: 'routing' | 'priority' };
        return answer(reply, await rules.show(kind, contextOf(req)));
      },
    );
    app.post(
      '/rules/:kind/validate',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'rules.read', body: AnyJson },
        schema: { summary: 'Check a rules document without loading it', params: Kind },
      },
      async (req, reply) => {
        const body = jsonBody(req, AnyJson);
        if (!body.ok) return sendProblems(reply, body.problems);
        const { kind } = req.params as { kind: 'routing' | 'priority' };
        const r = rules.validate(kind, body.value);
        return r.ok ? { valid: true, version: r.value.version } : sendProblems(reply, r.problems);
      },
    );
    app.put(
      '/rules/:kind',
      {
        bodyLimit: BODY_LIMITS.admin,
        config: { access: 'rules.write', body: AnyJson },
        schema: { summary: 'Load rules: in force for every referral decided after', params: Kind },
      },
      async (req, reply) => {
        const body = jsonBody(req, AnyJson);
        if (!body.ok) return sendProblems(reply, body.problems);
        const { kind } = req.params as { kind: 'routing' | 'priority' };
        return answer(reply, await rules.load(kind, body.value, contextOf(req)));
      },
    );
    app.get(
      '/lexicons',
      {
        config: { access: 'rules.read' },
        schema: { summary: 'The indicator lexicons loaded: names and sizes, never their terms' },
      },
      async (req, reply) => {
        const r = await rules.lexicons(contextOf(req));
        return r.ok ? { items: r.value } : sendProblems(reply, r.problems);
      },
    );
    app.put(
      '/lexicons/:name',
      {
        bodyLimit: LEXICON_BODY_LIMIT,
        config: { access: 'rules.write', body: LexiconBody },
        schema: { summary: 'Load (or replace) an indicator lexicon', params: Name },
      },
      async (req, reply) => {
        const body = jsonBody(req, LexiconBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const { name } = req.params as { name: string };
        return answer(
          reply,
          await rules.importLexicon(name, body.value.content, body.value.format, contextOf(req)),
        );
      },
    );
    app.delete(
      '/lexicons/:name',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'rules.write' },
        schema: { summary: 'Retire an indicator lexicon', params: Name },
      },
      async (req, reply) => {
        return answer(
          reply,
          await rules.removeLexicon((req.params as { name: string }).name, contextOf(req)),
        );
      },
    );
  };
}
