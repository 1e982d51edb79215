import { readFileSync } from 'node:fs';

/**
 * The client contract, graphql/schema.graphql, as text. Read from the repository under tsx and
 * jest; in the Lambda bundle, esbuild replaces this module with the file's text (see
 * esbuild-plugins.cjs), because the repository is not deployed.
 */
const sdl: string = readFileSync(new URL('../../../graphql/schema.graphql', import.meta.url), 'utf8');
export default sdl;
