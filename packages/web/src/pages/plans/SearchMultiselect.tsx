/** A Multiselect whose options the API answers as the user types and scrolls (useSearchOptions). */
import type { JSX } from 'react';
import Multiselect from '@cloudscape-design/components/multiselect';
import type { MultiselectProps } from '@cloudscape-design/components/multiselect';
import type { SearchOptions } from './search-options.js';

export function SearchMultiselect<TItem>(props: {
  search: SearchOptions<TItem>;
  selectedOptions: readonly MultiselectProps.Option[];
  options: readonly MultiselectProps.Option[];
  /** What is being searched, for the loading text ("protection groups"). */
  searching: string;
  placeholder: string;
  filteringPlaceholder: string;
  ariaLabel: string;
  empty: string;
  /** The ids (option values) chosen. */
  onChange: (ids: string[]) => void;
}): JSX.Element {
  const { search } = props;
  return (
    <Multiselect
      selectedOptions={props.selectedOptions}
      options={props.options}
      filteringType="manual"
      statusType={search.statusType}
      onLoadItems={search.onLoadItems}
      loadingText={`Loading ${props.searching}`}
      errorText={search.errorText}
      recoveryText="Retry"
      placeholder={props.placeholder}
      filteringPlaceholder={props.filteringPlaceholder}
      ariaLabel={props.ariaLabel}
      empty={props.empty}
      onChange={({ detail }) => props.onChange(detail.selectedOptions.map((o) => o.value ?? '').filter((v) => v !== ''))}
    />
  );
}
