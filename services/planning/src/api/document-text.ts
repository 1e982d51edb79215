import { parseAllDocuments, stringify } from 'yaml';
import type { DocumentFormat, FieldProblem } from '@lifeboat/service-api';
import type { ConfigurationDocument } from '../domain/documents.js';

/** Configuration documents as text: YAML (a stream of `---` documents) or JSON (one object or an array). */

export const MAX_CONTENT_CHARACTERS = 1_000_000;

export function formatDocuments(documents: readonly ConfigurationDocument[], format: DocumentFormat): string {
  if (format === 'JSON') return `${JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2)}\n`;
  return documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');
}

/** The documents of a text; YAML unless `format` says JSON or the text starts like JSON. */
export function parseDocumentText(content: unknown, format: unknown): { values: unknown[]; problems: FieldProblem[] } {
  if (typeof content !== 'string' || content.trim() === '') return { values: [], problems: [{ field: 'content', message: 'is required: the documents as YAML or JSON' }] };
  if (content.length > MAX_CONTENT_CHARACTERS) return { values: [], problems: [{ field: 'content', message: `must be at most ${MAX_CONTENT_CHARACTERS} characters` }] };
  if (format !== undefined && format !== 'YAML' && format !== 'JSON') return { values: [], problems: [{ field: 'format', message: 'must be YAML or JSON' }] };
  const text = content.trim();
  if (format === 'JSON' || (format === undefined && (text.startsWith('{') || text.startsWith('[')))) {
    try {
      const value: unknown = JSON.parse(text);
      return { values: Array.isArray(value) ? value : [value], problems: [] };
    } catch (error) {
      return { values: [], problems: [{ field: 'content', message: `is not valid JSON: ${error instanceof Error ? error.message : String(error)}` }] };
    }
  }
  const problems: FieldProblem[] = [];
  const values: unknown[] = [];
  parseAllDocuments(content).forEach((document, index) => {
    for (const error of document.errors) {
      const line = error.linePos?.[0];
      problems.push({ field: `documents[${index}]`, message: `is not valid YAML${line ? ` (line ${line.line}, column ${line.col})` : ''}: ${error.message.split('\n')[0] ?? ''}` });
    }
    if (document.errors.length === 0) {
      const value: unknown = document.toJS({ maxAliasCount: 50 });
      if (value !== null && value !== undefined) values.push(value);
    }
  });
  return { values, problems };
}
