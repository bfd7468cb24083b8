// The editor's saving model (issue 11): one state per section, nothing typed is ever lost.
//
// - A section is a save form (header, goal, indicator row, plan form or row). Typing marks it
//   未保存; a save marks it 保存中; the server's answer says 已保存 HH:MM (or shows the errors).
// - Leaving the page with a section 未保存 or 保存中 asks first (beforeunload).
// - An answer never overwrites what was typed after the request left: a form edited since
//   (or any other 未保存 form inside the swapped part) is kept as it is, taking only the new
//   version from the answer when its own save succeeded.
// - Errors show a Chinese banner and swap nothing (409 conflicts are swapped on purpose);
//   an expired session (401, or a sign-in page) offers to sign in in a new tab and 重试.
// - A paste longer than a field's maxlength is refused with a message, not cut silently.
// - "Not filled yet" errors (a new table's checklist) show beside a field once it was left.
// - 添加指标 puts the cursor in the new row's first input.
(function () {
  "use strict";
  var edits = new WeakMap(); // form -> number of edits so far
  var pending = new WeakMap(); // xhr -> {form, edits, kept}
  var lastFailed = null;

  function sectionOf(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    return form && form.closest(".editor") && form.getAttribute("hx-post") ? form : null;
  }
  function stateOf(form) {
    return form.querySelector(".save-state") || (form.closest("section") || form).querySelector(".save-state");
  }
  function setState(form, state, text) {
    if (state === "dirty") form.setAttribute("data-dirty", "");
    else if (state !== "saving") form.removeAttribute("data-dirty");
    var el = stateOf(form);
    if (!el) return;
    el.className = "save-state is-" + state;
    el.textContent = text || { dirty: "未保存", saving: "保存中…", saved: "已保存" }[state] || "";
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : null;
  }

  // ------------------------------------------------------------ banner
  function banner(message, options) {
    var box = document.getElementById("save-banner");
    if (!box) {
      box = document.createElement("div");
      box.id = "save-banner";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.replaceChildren();
    var p = document.createElement("p");
    p.textContent = message;
    box.appendChild(p);
    if (options && options.login) {
      var a = document.createElement("a");
      a.href = "/accounts/login/?next=" + encodeURIComponent(location.pathname);
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = "在新窗口登录";
      box.appendChild(a);
    }
    if (options && options.retry && lastFailed) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "primary retry";
      b.textContent = "重试";
      b.addEventListener("click", retry);
      box.appendChild(b);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link";
    close.textContent = "关闭";
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
  }
  function clearBanner() {
    var box = document.getElementById("save-banner");
    if (box) box.remove();
  }
  function retry() {
    var elt = lastFailed;
    clearBanner();
    if (!elt || !elt.isConnected) return;
    if (elt.tagName === "FORM") htmx.trigger(elt, "submit");
    else elt.click();
  }

  var MESSAGES = {
    400: "没有保存：提交的内容有误。请检查后重试。",
    403: "没有保存：本表当前不能修改（可能已在其他窗口提交），或您没有修改权限。您填写的内容仍在页面上。",
    404: "没有保存：要修改的内容已不存在（可能已被他人删除）。您填写的内容仍在页面上。",
    409: "保存冲突：他人刚修改了同一内容，请在标出的地方选择“使用我的”或“采用对方的”。",
    413: "没有保存：内容过长。请删减后再保存。",
    500: "没有保存：服务器出错。您填写的内容仍在页面上，请稍后重试。",
  };
  var EXPIRED = "登录已过期，请在新窗口登录后点击重试。您填写的内容仍在页面上，未丢失。";

  // ------------------------------------------------------------ typing
  function edited(event) {
    var form = sectionOf(event.target);
    if (!form || event.target.closest(".conflict")) return;
    edits.set(form, (edits.get(form) || 0) + 1);
    setState(form, "dirty");
  }
  document.addEventListener("input", edited);
  document.addEventListener("change", edited);

  document.addEventListener("paste", function (event) {
    var field = event.target;
    var max = field && field.maxLength;
    if (!max || max < 0 || !event.clipboardData) return;
    var text = event.clipboardData.getData("text");
    var selected = (field.selectionEnd || 0) - (field.selectionStart || 0);
    if (field.value.length - selected + text.length <= max) return;
    event.preventDefault();
    var note = field.parentElement.querySelector(".paste-refused");
    if (!note) {
      note = document.createElement("p");
      note.className = "error paste-refused";
      note.setAttribute("role", "alert");
      field.insertAdjacentElement("afterend", note);
    }
    note.textContent = "粘贴的内容有 " + text.length + " 字，超过本栏上限 " + max + " 字，未粘贴。请删减后再粘贴。";
  });

  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector(".editor form[data-dirty], .editor .save-state.is-saving")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ------------------------------------------------------------ requests
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrf(); // signing in elsewhere renews it: read it now, not from the page
    if (token && event.detail.verb !== "get") {
      Object.keys(event.detail.headers).forEach(function (name) {
        if (name.toLowerCase() === "x-csrftoken") delete event.detail.headers[name];
      });
      event.detail.headers["x-csrftoken"] = token;
      event.detail.parameters["csrfmiddlewaretoken"] = token;
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = sectionOf(elt);
    if (elt.hasAttribute && elt.hasAttribute("data-discard") && form) {
      form.removeAttribute("data-dirty"); // 采用对方的: the clerk gives this input up
      edits.set(form, 0);
    }
    // A save: the form itself or one of its buttons (not the live checks and previews inside it).
    var saving = form && event.detail.requestConfig.verb !== "get" && /^(FORM|BUTTON)$/.test(elt.tagName);
    pending.set(event.detail.xhr, saving ? { form: form, edits: edits.get(form) || 0, saving: true } : {});
    if (saving) setState(form, "saving");
  });

  function failed(event, message, options) {
    var info = pending.get(event.detail.xhr) || {};
    // A failed save's banner, with its 重试, outranks a later lookup's failure.
    if (!info.saving && document.querySelector("#save-banner .retry")) return;
    if (info.saving) {
      lastFailed = event.detail.elt;
      setState(info.form, "dirty", "未保存");
    }
    banner(message, { login: options && options.login, retry: info.saving && options && options.retry });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status;
    var signIn = /\/accounts\/login\//.test(xhr.responseURL || "");
    if (status === 401 || signIn) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      failed(event, EXPIRED, { login: true, retry: true });
      return;
    }
    if (status >= 400 && status !== 409) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      var type = xhr.getResponseHeader("Content-Type") || "";
      var text = type.indexOf("text/plain") === 0 && xhr.responseText ? xhr.responseText : null;
      failed(event, text || MESSAGES[status] || MESSAGES[status >= 500 ? 500 : 400], { retry: status >= 500 });
      return;
    }
    var info = pending.get(xhr) || {};
    if (status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
      banner(MESSAGES[409]);
    } else if (info.saving) {
      clearBanner();
    }
    // Keep every form typed into since: the request's own if edited after it left, others always.
    var target = event.detail.target;
    var kept = [];
    var candidates = target.matches && target.matches("form") ? [target] : [];
    candidates = candidates.concat(Array.prototype.slice.call(target.querySelectorAll("form[data-dirty]")));
    candidates.forEach(function (form) {
      if (!form.id) return;
      var typedSince = form === info.form ? (edits.get(form) || 0) !== info.edits : form.hasAttribute("data-dirty");
      if (typedSince && info.status !== 409) kept.push(form);
    });
    info.kept = kept;
    info.status = status;
    pending.set(xhr, info);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var info = pending.get(event.detail.xhr);
    if (!info || !info.kept) return;
    if (info.status === 409 && info.form && info.form.id) {
      var conflicted = document.getElementById(info.form.id);
      if (conflicted) setState(conflicted, "dirty");
    }
    info.kept.forEach(function (old) {
      var fresh = document.getElementById(old.id);
      if (!fresh || fresh === old) return;
      if (old === info.form && info.status === 200) {
        // Its save went through: take the new version and base values, keep the newer typing.
        fresh.querySelectorAll('input[type=hidden][name="version"], input[type=hidden][name^="base_"]').forEach(function (h) {
          var mine = old.querySelector('input[type=hidden][name="' + h.name + '"]');
          if (mine) mine.value = h.value;
        });
      }
      fresh.replaceWith(old);
      setState(old, "dirty");
    });
  });

  // ------------------------------------------------------------ fewer steps
  // A field's "not filled yet" problem shows once the clerk has left it empty. Not when it
  // was filled meanwhile: the page's problems are those of the last save. And not while a
  // button is being pressed: leaving the field is the press's mousedown, and a message
  // appearing then moves the 保存 under the pointer, so that the click was lost (released
  // elsewhere): the field is marked once the press is over.
  var touched = new Set(); // ids of the inputs the clerk has left, kept across swaps
  var pressing = false;
  var leftWhilePressing = [];
  function markTouched(id) {
    var el = document.getElementById(id);
    var box = el && el.closest(".field, .ind-row, .goals li");
    if (box && !(el.value || "").trim()) box.classList.add("touched");
    else if (box && el.closest(".field")) box.classList.remove("touched");
  }
  document.addEventListener("focusout", function (event) {
    var el = event.target;
    if (!el.id || !el.closest || !el.closest(".editor") || !/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return;
    touched.add(el.id);
    if (pressing) leftWhilePressing.push(el.id);
    else markTouched(el.id);
  });
  document.addEventListener("pointerdown", function () { pressing = true; }, true);
  function pressOver() {
    if (!pressing) return;
    pressing = false;
    setTimeout(function () { // after the click this press makes
      leftWhilePressing.splice(0).forEach(markTouched);
    }, 0);
  }
  document.addEventListener("pointerup", pressOver, true);
  document.addEventListener("pointercancel", pressOver, true);
  document.addEventListener("htmx:load", function () { touched.forEach(markTouched); });

  document.addEventListener("htmx:afterSwap", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.closest || !elt.closest("form.add-row")) return;
    var row = event.detail.target.previousElementSibling;
    var first = row && row.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
  });

  document.addEventListener("htmx:sendError", function (event) {
    failed(event, "网络连接失败，没有保存。您填写的内容仍在页面上，请检查网络后点击重试。", { retry: true });
  });
})();
