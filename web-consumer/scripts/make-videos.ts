/**
 * Makes the demo ad videos in web-consumer/public/videos (committed; run again only to change them):
 * `npx tsx web-consumer/scripts/make-videos.ts`. No ffmpeg here, so Chromium draws each clip on a
 * canvas and records it with MediaRecorder (WebM/VP8), in real time. The names and lengths match
 * `demoVideos` in api/services/campaigns.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const clips = [
  {
    file: 'sunrise.webm',
    title: '晨光茶饮 · 新品上市',
    sub: 'Sunrise Tea · new season',
    seconds: 8,
    from: '#ff7a45',
    to: '#ffc069',
  },
  {
    file: 'market.webm',
    title: '街坊超市 · 周末特惠',
    sub: 'Corner Market · weekend deals',
    seconds: 7,
    from: '#e8402a',
    to: '#ff8a3d',
  },
  {
    file: 'garden.webm',
    title: '绿野果蔬 · 产地直发',
    sub: 'Green Fields · farm to door',
    seconds: 9,
    from: '#389e0d',
    to: '#95de64',
  },
  {
    file: 'bakery.webm',
    title: '麦香烘焙 · 买一送一',
    sub: 'Wheat Bakery · buy one get one',
    seconds: 6,
    from: '#ad6800',
    to: '#ffd666',
  },
];

/** Runs in the page: draws the clip on a canvas, records it in real time, returns base64 WebM. */
const recordClip = `async (c) => {
          const canvas = document.createElement('canvas');
          canvas.width = 640;
          canvas.height = 360;
          const g = canvas.getContext('2d');
          const started = performance.now();
          const draw = () => {
            const t = (performance.now() - started) / 1000;
            const grad = g.createLinearGradient(0, 0, 640, 360);
            grad.addColorStop(0, c.from);
            grad.addColorStop(1, c.to);
            g.fillStyle = grad;
            g.fillRect(0, 0, 640, 360);
            // A few drifting circles so the picture visibly moves.
            for (let k = 0; k < 6; k++) {
              g.beginPath();
              g.fillStyle = 'rgba(255,255,255,0.15)';
              g.arc((k * 140 + t * 40 * (k % 2 ? 1 : -1) + 1280) % 720 - 40, 60 + k * 50, 30 + k * 6, 0, Math.PI * 2);
              g.fill();
            }
            g.fillStyle = '#fff';
            g.textAlign = 'center';
            g.font = 'bold 40px "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
            g.fillText(c.title, 320, 170);
            g.font = '22px sans-serif';
            g.fillText(c.sub, 320, 210);
            g.font = 'bold 22px sans-serif';
            g.fillText(\`\${Math.max(0, Math.ceil(c.seconds - t))}\`, 600, 340);
            g.fillStyle = 'rgba(255,255,255,0.9)';
            g.fillRect(0, 352, (640 * Math.min(t, c.seconds)) / c.seconds, 8);
          };
          draw();
          const stream = canvas.captureStream(24);
          const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 250_000 });
          const chunks = [];
          recorder.ondataavailable = (e) => chunks.push(e.data);
          const timer = setInterval(draw, 1000 / 24);
          recorder.start(500);
          await new Promise((r) => setTimeout(r, c.seconds * 1000 + 150));
          const stopped = new Promise((r) => {
            recorder.onstop = r;
          });
          recorder.stop();
          await stopped;
          clearInterval(timer);
          const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
          let binary = '';
          for (let j = 0; j < bytes.length; j++) binary += String.fromCharCode(bytes[j]);
          return btoa(binary);
        }`;

const outDir = fileURLToPath(new URL('../public/videos/', import.meta.url));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  // Two at a time: real-time recording on a small machine must not drop frames.
  for (let i = 0; i < clips.length; i += 2) {
    await Promise.all(
      clips.slice(i, i + 2).map(async (clip) => {
        const page = await browser.newPage();
        // Passed as source text: tsx's name helpers do not exist inside the page.
        const base64 = (await page.evaluate(`(${recordClip})(${JSON.stringify(clip)})`)) as string;
        writeFileSync(`${outDir}${clip.file}`, Buffer.from(base64, 'base64'));
        console.log(`${clip.file}: ${Math.round((base64.length * 3) / 4 / 1024)} KiB`);
        await page.close();
      }),
    );
  }
} finally {
  await browser.close();
}
