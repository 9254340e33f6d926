/**
 * A self-contained reference page: it fetches /openapi.json and lists every operation.
 * No CDN assets, so it works offline and behind a strict CSP.
 */
export function renderDocsPage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Alliance</title>
<style nonce="${nonce}">
body{font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2937;background:#f8fafc}
header{background:#b91c1c;color:#fff;padding:20px 32px}h1{margin:0;font-size:22px}
main{max-width:980px;margin:0 auto;padding:24px 32px}
.op{background:#fff;border:1px solid #e5e7eb;border-radius:10px;margin:12px 0;padding:14px 18px}
.m{display:inline-block;min-width:56px;font-weight:700;font-family:ui-monospace,monospace}
.get{color:#047857}.post{color:#b45309}.put,.patch{color:#1d4ed8}.delete{color:#b91c1c}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f1f5f9;padding:10px;border-radius:6px;overflow:auto}
details summary{cursor:pointer;color:#475569}h2{margin-top:32px;font-size:18px;border-bottom:2px solid #fecaca}
</style></head><body><header><h1>Alliance API reference</h1><div id="desc"></div></header>
<main id="root">Loading /openapi.json…</main>
<script nonce="${nonce}">
fetch('/openapi.json').then(r=>r.json()).then(spec=>{
  const esc=s=>String(s??'').replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  document.getElementById('desc').textContent=spec.info.description||'';
  const byTag={};
  for(const [path,ops] of Object.entries(spec.paths||{}))for(const [method,op] of Object.entries(ops)){
    const tag=(op.tags&&op.tags[0])||'Other';(byTag[tag]=byTag[tag]||[]).push({path,method,op});}
  let html='<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI '+esc(spec.openapi)+')</p>';
  for(const [tag,ops] of Object.entries(byTag)){
    html+='<h2>'+esc(tag)+'</h2>';
    for(const {path,method,op} of ops){
      const body=op.requestBody?.content?.['application/json']?.schema;
      html+='<div class="op"><span class="m '+method+'">'+method.toUpperCase()+'</span> <code>'+esc(path)+'</code> — '+esc(op.summary)+
        '<details><summary>request and responses</summary>'+(body?'<p>Body</p><pre>'+esc(JSON.stringify(body,null,2))+'</pre>':'')+
        Object.entries(op.responses||{}).map(([s,r])=>'<p><b>'+esc(s)+'</b> '+esc(r.description)+'</p>').join('')+'</details></div>';
    }
  }
  document.getElementById('root').innerHTML=html;
});
</script></body></html>`;
}
