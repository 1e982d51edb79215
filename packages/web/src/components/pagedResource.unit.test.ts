import { describe, expect, it } from '@jest/globals';
import { counterText, nameFilter, noMatchTexts, searchLabel } from './pagedResource.js';

const plans = { one: 'plan', many: 'plans' };
const groups = { one: 'group', many: 'groups' };

describe('paged resource list texts', () => {
  it('counts an open end while the server has a next page', () => {
    expect(counterText(50, true)).toBe('(50+)');
    expect(counterText(3, false)).toBe('(3)');
    expect(counterText(0, false)).toBe('(0)');
  });

  it('labels the search box by the noun', () => {
    expect(searchLabel(plans)).toBe('Find plans by name');
    expect(searchLabel(groups)).toBe('Find groups by name');
  });

  it('says what a search that finds nothing looked for', () => {
    expect(noMatchTexts(plans, 'orders')).toEqual({ title: 'No matching plans', subtitle: 'No plan name contains "orders".' });
    expect(noMatchTexts(groups, 'db')).toEqual({ title: 'No matching groups', subtitle: 'No group name contains "db".' });
  });

  it('asks for every item when the search is empty, and for the name otherwise', () => {
    expect(nameFilter('')).toEqual({});
    expect(nameFilter('web')).toEqual({ search: 'web' });
  });
});
