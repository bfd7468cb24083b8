// Small behaviours of the pages, kept out of the templates so that the
// Content-Security-Policy can refuse every inline script (settings.CONTENT_SECURITY_POLICY).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // <select data-submit-on-change>: choosing submits its form (the year on the home page).
  document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });

  // <iframe data-hide-on-load="ID">: the element ID (正在生成…) goes once the frame has loaded.
  document.querySelectorAll("iframe[data-hide-on-load]").forEach(function (frame) {
    frame.addEventListener("load", function () {
      var progress = document.getElementById(frame.dataset.hideOnLoad);
      if (progress) progress.hidden = true;
    });
  });

  // The import form: keep the clipboard's text/html too, which knows merged cells that
  // its text/plain loses; typing (not pasting) into the text clears it again.
  document.querySelectorAll("form[data-paste-text]").forEach(function (form) {
    var text = document.getElementById(form.dataset.pasteText);
    var html = document.getElementById(form.dataset.pasteHtml);
    if (!text || !html) return;
    text.addEventListener("paste", function (event) {
      var pasted = event.clipboardData && event.clipboardData.getData("text/html");
      html.value = pasted && pasted.indexOf("<table") >= 0 ? pasted : "";
    });
    text.addEventListener("input", function (event) {
      if (event.inputType !== "insertFromPaste") html.value = "";
    });
  });
});
