import { PayoutsView } from '../../components/PayoutsView';
import { useSupplier } from '../../components/SupplierArea';

export function Payouts() {
  const { id } = useSupplier();
  return <PayoutsView kind="suppliers" id={id} />;
}
