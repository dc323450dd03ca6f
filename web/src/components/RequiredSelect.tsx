import { Select, type SelectProps } from 'antd';

type Props<V> = SelectProps<V> & { 'aria-required'?: unknown };

/**
 * antd's Select as the child of a required Form.Item. The Form.Item marks its child
 * `aria-required`, and Select puts that on its role-less wrapper <div>, where ARIA does not
 * allow it (axe: aria-allowed-attr, critical). It is dropped here; the label's required mark and
 * the validation message still tell that a choice is needed.
 */
export function RequiredSelect<V>(props: Props<V>) {
  const rest = { ...props };
  delete rest['aria-required'];
  return <Select<V> {...rest} />;
}
