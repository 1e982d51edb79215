/**
 * The words of a paged, name-searchable resource list (recovery plans, protection groups), kept
 * apart from the table so that a list page's texts are one noun and the same on every page.
 */

/** How a list names one and several of its items: `{ one: 'plan', many: 'plans' }`. */
export interface ResourceNoun {
  one: string;
  many: string;
}

/** The header counter: an open end (`(50+)`) while the server has a next page. */
export function counterText(shown: number, openEnd: boolean): string {
  return openEnd ? `(${shown}+)` : `(${shown})`;
}

/** The search box's placeholder and accessible name. */
export function searchLabel(noun: ResourceNoun): string {
  return `Find ${noun.many} by name`;
}

/** The empty state when a search finds nothing. */
export function noMatchTexts(noun: ResourceNoun, search: string): { title: string; subtitle: string } {
  return { title: `No matching ${noun.many}`, subtitle: `No ${noun.one} name contains "${search}".` };
}

/** The variables' filter for a settled search: none when the box is empty. */
export function nameFilter(settledSearch: string): { search?: string } {
  return settledSearch === '' ? {} : { search: settledSearch };
}
