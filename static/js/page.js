// Small behaviours of the pages, kept out of the templates so that the
// Content-Security-Policy can refuse every inline script (settings.CONTENT_SECURITY_POLICY).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // <select data-submit-on-change>: choosing submits its form (the year on the home page).
  document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });

  // <iframe data-hide-on-load="ID">: the element ID (正在生成…) goes once the frame has loaded.
  // A browser that does not show PDFs in a page (set to download them, or without a viewer)
  // never loads the frame: after data-slow-after milliseconds the element says so instead of
  // waiting for ever, and points to 下载PDF (its data-slow-text).
  document.querySelectorAll("iframe[data-hide-on-load]").forEach(function (frame) {
    var progress = document.getElementById(frame.dataset.hideOnLoad);
    var slow = progress && Number(frame.dataset.slowAfter) ?
      setTimeout(function () { progress.textContent = progress.dataset.slowText; }, Number(frame.dataset.slowAfter)) : null;
    frame.addEventListener("load", function () {
      clearTimeout(slow);
      if (progress) progress.hidden = true;
    });
  });

  // A paste form (the import page, the editor's 粘贴指标): keep the clipboard's text/html too,
  // which knows merged cells that its text/plain loses; typing (not pasting) into the text
  // clears it again. Delegated, so a form swapped in later (htmx) does the same.
  function pasteFields(target) {
    var form = target && target.closest ? target.closest("form[data-paste-text]") : null;
    if (!form || target.id !== form.dataset.pasteText) return null;
    return document.getElementById(form.dataset.pasteHtml);
  }
  document.addEventListener("paste", function (event) {
    var html = pasteFields(event.target);
    if (!html) return;
    var pasted = event.clipboardData && event.clipboardData.getData("text/html");
    // Word writes ten times the text in styles: beyond 2 MB the text alone is sent.
    html.value = pasted && pasted.indexOf("<table") >= 0 && pasted.length <= 2000000 ? pasted : "";
  });
  document.addEventListener("input", function (event) {
    var html = pasteFields(event.target);
    if (html && event.inputType !== "insertFromPaste") html.value = "";
  });
});
