import { useMerchant } from '../../components/MerchantArea';
import { PayoutsView } from '../../components/PayoutsView';

export function MerchantPayouts() {
  const { id } = useMerchant();
  return <PayoutsView kind="merchants" id={id} />;
}
