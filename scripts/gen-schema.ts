// Writes schemas/optlab-experiment.schema.json from its template and the optimizer registry
// (npm run gen:schema). Run it after adding or changing an optimizer descriptor.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_PATH, experimentSchemaText } from './schema/experiment-schema';

writeFileSync(SCHEMA_PATH, experimentSchemaText());
console.log(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}`);
