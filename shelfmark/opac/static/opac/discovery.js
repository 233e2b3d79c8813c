/* The search box's suggestions as a combobox (WAI-ARIA 1.2 pattern, list autocomplete): htmx fills the listbox;
   this shows it, moves the active option with the arrow keys, takes it with Enter or a tap, closes it with Escape.
   Without script the box is a plain search form and the listbox never shows. */
(function () {
  "use strict";
  function setUp(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list || input.dataset.comboReady) { return; }
    input.dataset.comboReady = "1";
    var active = -1;
    function options() { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }
    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
      options().forEach(function (o) { o.setAttribute("aria-selected", "false"); });
    }
    function open() {
      var any = options().length > 0;
      list.hidden = !any; input.setAttribute("aria-expanded", any ? "true" : "false"); active = -1;
      input.removeAttribute("aria-activedescendant");
    }
    function move(to) {
      var all = options();
      if (!all.length) { return; }
      if (list.hidden) { open(); }
      active = (to + all.length) % all.length;
      all.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function take(option) {
      input.value = option.getAttribute("data-value");
      close();
      if (input.form) { input.form.submit(); }
    }
    list.addEventListener("htmx:afterSwap", open);
    input.addEventListener("htmx:afterSwap", open);
    document.body.addEventListener("htmx:afterSwap", function (event) { if (event.detail.target === list) { open(); } });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(active - 1); }
      else if (event.key === "Escape") { if (!list.hidden) { event.preventDefault(); close(); } }
      else if (event.key === "Enter" && active >= 0 && !list.hidden) { event.preventDefault(); take(options()[active]); }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) { event.preventDefault(); take(option); }
    });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('input[role="combobox"][aria-controls]'), setUp);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
