// esbuild plugins of the gateway's Lambda bundles (serverless-esbuild `custom.esbuild.plugins`).
// serverless-esbuild loads this file with require(), so it is CommonJS.
/* eslint-disable @typescript-eslint/no-require-imports */
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

const schemaFile = resolve(__dirname, '../../graphql/schema.graphql');

// src/schema-sdl.ts reads graphql/schema.graphql from the repository at run time (tsx, jest). A
// Lambda has no repository, so in the bundle that module becomes the file's text instead, through
// esbuild's text loader (a module whose default export is the text).
const embedGraphQLSchema = {
  name: 'lifeboat-embed-graphql-schema',
  setup(build) {
    build.onLoad({ filter: /[\\/]gateway[\\/]src[\\/]schema-sdl\.ts$/ }, () => ({
      contents: readFileSync(schemaFile, 'utf8'),
      loader: 'text',
      watchFiles: [schemaFile],
    }));
  },
};

module.exports = [embedGraphQLSchema];
