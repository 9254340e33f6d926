import { maskPhone, rows, toE164 } from '@alliance/web-shared';
import { createResource, createSignal, Show } from 'solid-js';
import { api } from '../../api';
import { useMerchant } from '../../components/MerchantArea';
import { Card, ErrorNote, formatDate, Loaded, PageHeader, Table, useAction } from '../../components/ui';
import { t } from '../../i18n';
import { me } from '../../session';

export function Staff() {
  const { id } = useMerchant();
  const [staff, { refetch }] = createResource(() => id, api.staff);
  // The staff list says who the owner is (GET /v1/me lists memberships without roles).
  const isOwner = () => rows(staff()).find((s) => s.userId === me()?.user.id)?.role === 'owner';
  const [phone, setPhone] = createSignal('');
  const add = useAction(async (e: Event) => {
    e.preventDefault();
    const e164 = toE164(phone());
    if (!e164) throw new Error(t('signin.phoneInvalid'));
    await api.addStaff(id, e164);
    setPhone('');
    refetch();
  });
  const remove = useAction(async (userId: string) => {
    if (!window.confirm(t('staff.confirmRemove'))) return;
    await api.removeStaff(id, userId);
    refetch();
  });
  return (
    <div class="page">
      <PageHeader title={t('staff.title')} subtitle={t('staff.subtitle')} />
      <Show when={isOwner()}>
        <Card title={t('staff.add')}>
          <form class="inline-form" onSubmit={(e) => add.run(e)}>
            <input
              class="input"
              name="phone"
              type="tel"
              placeholder={t('signin.phonePlaceholder')}
              value={phone()}
              onInput={(e) => setPhone(e.currentTarget.value)}
            />
            <button type="submit" class="btn btn-primary" disabled={add.busy() || !phone()}>
              {t('staff.addButton')}
            </button>
          </form>
          <ErrorNote error={add.error()} />
        </Card>
      </Show>
      <Card title={t('staff.members')}>
        <ErrorNote error={remove.error()} />
        <Loaded resource={staff}>
          {(page) => (
            <Table
              rows={rows(page)}
              columns={[
                { label: t('col.phone'), render: (r) => <span class="mono">{maskPhone(r.phone)}</span> },
                {
                  label: t('col.role'),
                  render: (r) => (r.role === 'owner' ? t('staff.owner') : t('staff.staff')),
                },
                { label: t('col.added'), render: (r) => formatDate(r.addedAt) },
                {
                  label: '',
                  align: 'right',
                  render: (r) => (
                    <Show when={isOwner() && r.role !== 'owner'}>
                      <button
                        type="button"
                        class="btn btn-danger btn-small"
                        onClick={() => remove.run(r.userId)}
                      >
                        {t('staff.remove')}
                      </button>
                    </Show>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
    </div>
  );
}
