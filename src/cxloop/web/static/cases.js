// cxloop agent workspace: keyboard shortcuts and the template picker. Loaded as a file (no
// inline scripts), so the CSP can forbid them. The shortcuts are listed on every workspace
// page ("Keyboard shortcuts"); they never fire while a text field, list or button has focus
// with a modifier, so typing an answer is never taken for a command.
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-case-row]"));
  }

  var selectedId = null;

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    if (!row) return;
    row.classList.add("selected");
    selectedId = row.getAttribute("data-case-row");
    var link = row.querySelector("a.case-link");
    if (link) link.focus();
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (r) { return r.getAttribute("data-case-row") === selectedId; });
    var next = current < 0 ? 0 : Math.min(Math.max(current + step, 0), all.length - 1);
    select(all[next]);
  }

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) return false;
    field.scrollIntoView({ block: "center" });
    field.focus();
    return true;
  }

  function toggleShortcuts() {
    var box = document.getElementById("shortcuts");
    if (!box) return;
    box.open = !box.open;
    var summary = box.querySelector("summary");
    if (box.open && summary) summary.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var page = document.querySelector("[data-shortcuts]");
    if (!page) return;
    var kind = page.getAttribute("data-shortcuts");
    var handled = true;
    if (event.key === "?") {
      toggleShortcuts();
    } else if (kind === "queue" && (event.key === "j" || event.key === "k")) {
      move(event.key === "j" ? 1 : -1);
    } else if (kind === "queue" && (event.key === "Enter" || event.key === "o") && selectedId) {
      window.location.assign("/cases/" + selectedId);
    } else if (kind === "case" && event.key === "r") {
      handled = focusField("reply-body");
    } else if (kind === "case" && event.key === "n") {
      handled = focusField("note-text");
    } else if (kind === "case" && event.key === "s") {
      var solve = document.getElementById("solve-form");
      if (solve) solve.requestSubmit(); else handled = false;
    } else if (kind === "case" && event.key === "u") {
      window.location.assign("/cases");
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });

  // The queue refreshes every few seconds: keep the selected case selected (and focused,
  // when focus was in the table) after new rows replace the old ones.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var table = document.getElementById("queue-live");
    if (table && event.detail.target === table) {
      table.setAttribute("data-had-focus", table.contains(document.activeElement) ? "1" : "");
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var table = document.getElementById("queue-live");
    if (!table || event.detail.target !== table || !selectedId) return;
    var row = table.querySelector('tr[data-case-row="' + selectedId + '"]');
    if (!row) return;
    row.classList.add("selected");
    if (table.getAttribute("data-had-focus") === "1") {
      var link = row.querySelector("a.case-link");
      if (link) link.focus();
    }
  });

  // Choosing a template fills the answer at once (the "Use template" button does the same
  // through the server when scripts are off).
  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (!picker || picker.id !== "reply-template") return;
    var option = picker.options[picker.selectedIndex];
    if (!option || !option.value) return;
    var body = document.getElementById("reply-body");
    var subject = document.getElementById("reply-subject");
    if (body) body.value = option.getAttribute("data-body") || "";
    if (subject && option.getAttribute("data-subject")) subject.value = option.getAttribute("data-subject");
    var status = document.getElementById("template-status");
    if (status) status.textContent = "Template " + option.textContent + " copied into the answer.";
  });

  // Focusing a row's link (Tab or click) makes it the selected one for j/k.
  document.addEventListener("focusin", function (event) {
    var row = event.target && event.target.closest ? event.target.closest("tr[data-case-row]") : null;
    if (row) {
      rows().forEach(function (r) { r.classList.remove("selected"); });
      row.classList.add("selected");
      selectedId = row.getAttribute("data-case-row");
    }
  });
})();
