import { createSignal, onCleanup, Show } from 'solid-js';
import { t } from '../i18n';

/**
 * Scans the consumer's member QR with the device camera (qr-scanner: uses the browser's
 * BarcodeDetector where there is one, else its own web worker; no network). Loaded only when a
 * cashier opens the camera. Typing the digits stays the fallback when there is no camera.
 */
export function MemberScanner(props: { onCode: (code: string) => void }) {
  const [open, setOpen] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  let video!: HTMLVideoElement;
  let stop: (() => void) | undefined;

  const start = async () => {
    setProblem(null);
    setOpen(true);
    try {
      const { default: QrScanner } = await import('qr-scanner');
      if (!(await QrScanner.hasCamera())) throw new Error('no camera');
      const scanner = new QrScanner(
        video,
        (result) => {
          const code = result.data.replace(/\D/g, '');
          if (!code) return;
          close();
          props.onCode(code);
        },
        { preferredCamera: 'environment', highlightScanRegion: true, returnDetailedScanResult: true },
      );
      stop = () => scanner.destroy();
      await scanner.start();
    } catch {
      close();
      setProblem(t('scan.noCamera'));
    }
  };
  const close = () => {
    stop?.();
    stop = undefined;
    setOpen(false);
  };
  onCleanup(close);

  return (
    <>
      <button type="button" class="btn btn-outline" data-testid="scan-member" onClick={() => void start()}>
        {t('scan.open')}
      </button>
      <Show when={problem()}>
        <p class="field-hint" role="status">
          {problem()}
        </p>
      </Show>
      <div class="scan-frame" hidden={!open()}>
        <video ref={video} muted playsinline />
        <button type="button" class="btn btn-ghost btn-small" onClick={close}>
          {t('common.cancel')}
        </button>
      </div>
    </>
  );
}
