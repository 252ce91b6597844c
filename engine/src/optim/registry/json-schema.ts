// The JSON Schema definitions of the neural optimizers, generated from the registry: one
// `<type>NeuralOptimizer` definition per descriptor and the `neuralOptimizer` union over them.
// scripts/gen-schema.ts merges them into schemas/optlab-experiment.schema.json.
import type { OptimizerDescriptor, OptionDescriptor } from './descriptor';
import { DESCRIPTORS, gridOptions } from './index';

type Json = Record<string, unknown>;

/** The name of a type's definition: adam -> adamNeuralOptimizer. */
export const definitionName = (type: string): string => `${type}NeuralOptimizer`;

/** 1e-8 and 1e8 rather than 1e-8 and 100000000: the shorter of the plain and exponent forms. */
function numberText(v: number): string {
  const plain = String(v);
  const exponent = v.toExponential().replace('e+', 'e');
  return exponent.length < plain.length ? exponent : plain;
}

function defaultText(o: OptionDescriptor, markdown: boolean): string {
  if (o.default !== undefined) {
    const d = o.default;
    const v = typeof d === 'string' ? (markdown ? `"${d}"` : `'${d}'`) : typeof d === 'number' ? numberText(d) : String(d);
    return markdown ? ` Default \`${v}\`.` : ` Default ${v}.`;
  }
  return o.defaultText ? ` Default: ${o.defaultText}.` : '';
}

function optionSchema(o: OptionDescriptor): Json {
  if (o.kind === 'schedule') return { $ref: '#/definitions/schedule' };
  const out: Json = {};
  if (o.grid) out.allOf = [{ $ref: '#/definitions/grid' }];
  else if (o.kind === 'enum') out.enum = [...(o.values ?? [])];
  else {
    out.type = o.kind;
    if (o.min !== undefined) out[o.minExclusive ? 'exclusiveMinimum' : 'minimum'] = o.min;
    if (o.max !== undefined) out[o.maxExclusive ? 'exclusiveMaximum' : 'maximum'] = o.max;
  }
  out.description = o.doc + defaultText(o, false);
  if (o.markdown !== undefined) out.markdownDescription = o.markdown + defaultText(o, true);
  if (o.default !== undefined) out.default = o.default;
  return out;
}

function optimizerSchema(d: OptimizerDescriptor): Json {
  const searched = gridOptions(d).map((k) => `\`${k}\``);
  const properties: Json = {
    label: { $ref: '#/definitions/label' },
    type: { type: 'string', const: d.type, description: `Optimizer: '${d.type}'.` },
  };
  for (const [key, o] of Object.entries(d.options)) properties[key] = optionSchema(o);
  return {
    type: 'object',
    required: ['type'],
    additionalProperties: false,
    description: d.doc,
    markdownDescription: `${d.markdown} Searched over ${searched.join(' × ')}.`,
    properties,
  };
}

function listText(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** `neuralOptimizer` and one definition per registered type, in registry order. */
export function neuralOptimizerDefinitions(descriptors: readonly OptimizerDescriptor[] = DESCRIPTORS): Json {
  const types = descriptors.map((d) => d.type);
  const union: Json = {
    type: 'object',
    description: `One optimizer for a neural problem and its hyperparameter grids: ${listText(types)}.`,
    markdownDescription: `One optimizer for a neural problem and its hyperparameter grids. \`type\`: ${listText(types.map((t) => `\`${t}\``))}. Every combination of the grids is one trial per batch size.`,
    discriminator: { propertyName: 'type' },
    oneOf: types.map((t) => ({ $ref: `#/definitions/${definitionName(t)}` })),
    defaultSnippets: descriptors.flatMap((d) => (d.snippet ? [d.snippet] : [])),
  };
  const out: Json = { neuralOptimizer: union };
  for (const d of descriptors) out[definitionName(d.type)] = optimizerSchema(d);
  return out;
}
