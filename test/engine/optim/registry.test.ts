// The optimizer registry (engine/src/optim/registry): the committed JSON Schema is what the
// registry generates, the defaults it states are the ones the builders apply, and every registered
// type reaches the factory, the experiment-file tables, the schema and the NQM prediction, so that
// adding an optimizer is one descriptor file and one registry line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { LEARNING_RATE_OPTIONAL, NEURAL_GRID_KEYS, defaultNeuralLabel, neuralIssues } from '../../../engine/src/experiment/neural';
import { makeOptimizer, OPTIMIZER_OPTIONS, type Needs } from '../../../engine/src/optim';
import { resolveKfacOptions } from '../../../engine/src/optim/kfac';
import { resolveNaturalGradientOptions } from '../../../engine/src/optim/natural-gradient';
import { DESCRIPTORS, defineOptimizer, gridOptions, nqmFamilyOf, OPTIMIZERS, specKeys } from '../../../engine/src/optim/registry';
import { definitionName, neuralOptimizerDefinitions } from '../../../engine/src/optim/registry/json-schema';
import { experimentSchema, experimentSchemaText, SCHEMA_PATH } from '../../../scripts/schema/experiment-schema';
import { G5, run } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const committed = (): Json => JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));


describe('optimizer registry', () => {
  test('the committed schema is the one the registry generates (else: run npm run gen:schema)', () => {
    const onDisk = readFileSync(SCHEMA_PATH, 'utf8');
    const generated = experimentSchemaText();
    if (onDisk !== generated) {
      const a = onDisk.split('\n');
      const b = generated.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`schemas/optlab-experiment.schema.json differs from what the optimizer registry generates (first at line ${line + 1}: ${JSON.stringify(a[line])} vs ${JSON.stringify(b[line])}): run npm run gen:schema`);
    }
  });

  test('every default the schema states is what the builder applies when the option is absent', () => {
    const defs = committed().definitions as Json;
    let checked = 0;
    for (const d of DESCRIPTORS) {
      const props = defs[definitionName(d.type)].properties as Json;
      for (const [key, prop] of Object.entries(props)) {
        // The text states the same default as the keyword (no hand-written "default 0.9" left).
        const stated = /Default (\S+)\.$/.exec(String(prop.description))?.[1];
        if (prop.default === undefined) {
          assert.equal(stated, undefined, `${d.type}.${key}: the description states a default the schema does not carry`);
          continue;
        }
        assert.ok(stated !== undefined, `${d.type}.${key}: the description does not state its default`);
        const text = typeof prop.default === 'number' ? Number(stated) : typeof prop.default === 'string' ? stated.slice(1, -1) : stated;
        assert.equal(text, typeof prop.default === 'boolean' ? String(prop.default) : prop.default, `${d.type}.${key}: text and keyword disagree`);
        checked++;
        if (d.type === 'kfac') {
          // K-FAC resolves absent options itself (kfac/options.ts).
          assert.equal((resolveKfacOptions({}) as unknown as Json)[key], prop.default, `kfac.${key}`);
        } else if (d.type === 'ngd') {
          assert.equal((resolveNaturalGradientOptions({}) as unknown as Json)[key], prop.default, `ngd.${key}`);
        } else {
          // First-order optimizers: the same iterates and stats with the default written out as without it.
          const base = { type: d.type, learningRate: 0.1 };
          const without = run(makeOptimizer(base), G5);
          const withDefault = run(makeOptimizer({ ...base, [key]: prop.default }), G5);
          assert.deepEqual(withDefault.xs, without.xs, `${d.type}.${key}: the schema's default ${prop.default} is not what is applied`);
          assert.deepEqual(withDefault.stats, without.stats, `${d.type}.${key}: stats`);
          // ... and the option is live (the comparison is not vacuous).
          const v = prop.default as number;
          const other = v === 0 ? 0.5 : v < 1e-3 ? 0.1 : v / 2; // a change float32 can see
          assert.notDeepEqual(run(makeOptimizer({ ...base, [key]: other }), G5).xs, without.xs, `${d.type}.${key} has no effect`);
        }
      }
    }
    assert.ok(checked >= 25, `only ${checked} defaults checked`);
  });

  test("rmsprop's momentum defaults to none (0), as the code always applied, not 0.9", () => {
    const momentum = committed().definitions.rmspropNeuralOptimizer.properties.momentum;
    assert.equal(momentum.default, 0);
    const base = { type: 'rmsprop', learningRate: 0.01 };
    assert.notDeepEqual(run(makeOptimizer({ ...base, momentum: 0.9 }), G5).xs, run(makeOptimizer(base), G5).xs);
  });

  test('every registered type reaches the factory, the experiment tables, the schema and the prediction', () => {
    const schema = committed();
    const union = schema.definitions.neuralOptimizer;
    assert.deepEqual(
      union.oneOf.map((r: Json) => r.$ref),
      OPTIMIZERS.map((d) => `#/definitions/${definitionName(d.type)}`),
    );
    for (const d of DESCRIPTORS) {
      const def = schema.definitions[definitionName(d.type)];
      assert.ok(def, `${d.type}: no schema definition`);
      assert.equal(def.properties.type.const, d.type);
      assert.deepEqual(Object.keys(def.properties), ['label', 'type', ...Object.keys(d.options)], d.type);
      assert.deepEqual([...OPTIMIZER_OPTIONS[d.type]], specKeys(d), `${d.type}: factory options`);
      assert.deepEqual([...NEURAL_GRID_KEYS[d.type]], gridOptions(d), `${d.type}: grid keys`);
      assert.equal(LEARNING_RATE_OPTIONAL.includes(d.type), d.learningRate === 'optional');
      assert.equal(defaultNeuralLabel(d.type), d.label);
      const family = nqmFamilyOf(d.type);
      assert.ok(family.family === 'sgd' || family.family === 'momentum', d.type);
      const spec = d.learningRate === 'optional' ? { type: d.type } : { type: d.type, learningRate: 0.1 };
      assert.equal(makeOptimizer(spec).name, d.type);
    }
  });

  test('the NQM stand-ins are the ones the prediction always used; an unregistered type is an error, not SGD', () => {
    const families = Object.fromEntries(OPTIMIZERS.map((d) => [d.type, nqmFamilyOf(d.type)]));
    assert.deepEqual(families, {
      sgd: { family: 'sgd', precondition: 0, name: 'SGD' },
      momentum: { family: 'momentum', precondition: 0, name: 'momentum' },
      nesterov: { family: 'momentum', precondition: 0, name: 'momentum' },
      adam: { family: 'sgd', precondition: 0.5, name: 'SGD p=0.5' },
      adamw: { family: 'sgd', precondition: 0.5, name: 'SGD p=0.5' },
      rmsprop: { family: 'sgd', precondition: 0.5, name: 'SGD p=0.5' },
      kfac: { family: 'sgd', precondition: 0.75, name: 'SGD p=0.75' },
      ngd: { family: 'sgd', precondition: 0.75, name: 'SGD p=0.75' },
    });
    assert.throws(() => nqmFamilyOf('lamb'), /unknown optimizer type "lamb" \(registered: sgd, momentum, .*ngd\)/);
  });

  test('built optimizers ask only for the extras their descriptor declares', () => {
    const asked = (n: Needs) => Object.keys(n).filter((k) => !['layerStatsFraction', 'subsetMinRows', 'outputSpaceFraction'].includes(k));
    const specs: Json[] = [
      ...DESCRIPTORS.filter((d) => d.learningRate !== 'optional').map((d) => ({ type: d.type, learningRate: 0.1 })),
      { type: 'kfac' },
      { type: 'kfac', learningRate: 0.1, damping: 1 },
      { type: 'kfac', learningRate: 0.1, damping: 1, adaptDamping: true, statsFraction: 0.5, quadModelFraction: 0.5, subsetMinRows: 4 },
      { type: 'ngd', learningRate: 1, method: 'cg' },
    ];
    for (const spec of specs) {
      const declared: readonly string[] = DESCRIPTORS.find((d) => d.type === spec.type)!.needs;
      for (const need of asked(makeOptimizer(spec).needs)) assert.ok(declared.includes(need), `${JSON.stringify(spec)} asks for ${need}, which its descriptor does not declare`);
    }
  });

  test('grid values are checked against the registry ranges (K-FAC damping must be > 0, as its builder requires)', () => {
    const file = (entry: Json) => ({ problem: { type: 'classification' }, budget: { maxSteps: 1 }, batchSizes: [8], optimizers: [entry] });
    assert.deepEqual(
      neuralIssues(file({ type: 'kfac', damping: [1, 0] })).map((i) => [i.path, i.message]),
      [['/optimizers/0/damping/1', 'damping must be > 0, got 0']],
    );
    assert.deepEqual(neuralIssues(file({ type: 'ngd', learningRate: 1, damping: [0] })), []);
    assert.deepEqual(
      neuralIssues(file({ type: 'adam', learningRate: [0.1], beta2: [1] })).map((i) => i.message),
      ['beta2 must be in [0, 1), got 1'],
    );
  });

  test('a new descriptor is all it takes to get a schema definition that validates entries', () => {
    const signSgd = defineOptimizer({
      type: 'signsgd',
      label: 'signSGD',
      doc: 'signSGD: x <- x - lr sign(g).',
      markdown: '**signSGD**: θ ← θ − lr · sign(g).',
      options: { learningRate: { kind: 'number', grid: true, min: 0, minExclusive: true, doc: 'Learning rates to search.' }, clipNorm: { kind: 'number', min: 0, minExclusive: true, doc: 'Clip first.' } },
      nqm: { family: 'sgd', precondition: 0 },
      needs: [],
      build: (o, { learningRate }, tk) => tk.sgd(learningRate!, { clipNorm: o.clipNorm }),
    });
    const generated = neuralOptimizerDefinitions([...DESCRIPTORS, signSgd]);
    assert.ok(generated.signsgdNeuralOptimizer);
    const schema = experimentSchema();
    const definitions = { ...(schema.definitions as Json), ...generated };
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, discriminator: true });
    ajv.addVocabulary(['markdownDescription', 'defaultSnippets']);
    const validate = ajv.compile({ ...schema, definitions });
    const file = {
      name: 'n',
      problem: { type: 'classification', data: { type: 'clusters' }, model: { type: 'mlp' } },
      target: { metric: 'trainLoss', value: 0.1 },
      budget: { maxSteps: 10 },
      batchSizes: [8],
      optimizers: [{ type: 'signsgd', learningRate: [0.1], clipNorm: 1 }],
    };
    assert.equal(validate(file), true, ajv.errorsText(validate.errors));
    assert.equal(validate({ ...file, optimizers: [{ type: 'signsgd', learningRate: [0.1], beta1: 0.9 }] }), false);
  });
});
