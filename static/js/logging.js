// My day and the activity edit form: the prospect combobox, where focus goes after each
// htmx answer, the meeting-only fields and the notes counter. No inline script anywhere
// (the CSP allows scripts from this origin only), so all of it lives here. Its words come
// from Django's JavaScript catalogue (gettext, interpolate), which base.html loads first.
(function () {
  "use strict";

  var FOCUSABLE = "input:not([type=hidden]), select, textarea, button, a[href], summary";

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function focusable(root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), function (element) {
      return !element.disabled && visible(element);
    });
  }

  function focusField(element) {
    if (!element) return;
    element.focus();
    if (element.scrollIntoView) element.scrollIntoView({ block: "nearest" });
  }

  // The prospect combobox (WAI-ARIA 1.2 combobox with a listbox popup): focus stays in the
  // input while arrow keys move the active option, Enter picks it, Escape closes the list.
  function combobox(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list || input.dataset.comboboxReady) return;
    input.dataset.comboboxReady = "1";
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    }
    function setActive(index) {
      // -1: no active option; past either end wraps round.
      var all = options();
      active = index < 0 || !all.length ? -1 : index % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
        option.classList.toggle("is-active", i === active);
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function open() {
      var has = options().length > 0 && input.value.trim() !== "";
      list.hidden = !has;
      input.setAttribute("aria-expanded", has ? "true" : "false");
      return has;
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }
    function pick(option) {
      close();
      option.click(); // the option's hx-get swaps the picker
    }
    // "+ New prospect … and a new opportunity": tick the box, name the deal if unnamed.
    function opensOpportunity(option) {
      var name = option.dataset.opensOpportunity;
      var form = input.closest("form");
      if (name === undefined || !form) return;
      var box = form.querySelector("input[name='new_opportunity']");
      var dealName = form.querySelector("input[name='new_opportunity_name']");
      if (box) box.checked = true;
      if (dealName && !dealName.value.trim()) dealName.value = name;
    }

    input.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        if (list.hidden) open();
        if (event.key === "ArrowDown") setActive(active + 1);
        else setActive(active <= 0 ? all.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (list.hidden || !all.length) return; // closed: Enter submits the form as usual
        event.preventDefault();
        pick(all[active >= 0 ? active : 0]);
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("input", function () {
      if (input.value.trim() === "") close();
    });
    // Keep focus in the input when an option is clicked, so the list does not close first.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      opensOpportunity(option);
      if (!list.hidden) close();
    });
    input.addEventListener("blur", function () {
      close();
    });
    // A fresh answer for what was typed: show it, nothing active yet.
    list.addEventListener("htmx:afterSwap", function () {
      setActive(-1);
      if (document.activeElement === input) open();
    });
  }

  // After a prospect is picked (or "new prospect" chosen), on to the next field.
  function focusAfterPicker(picker) {
    if (picker.matches(".new-prospect")) {
      focusField(picker.querySelector("input[name$='new_prospect_company']"));
      return;
    }
    if (picker.matches(".combobox")) {
      focusField(picker.querySelector("[role=combobox]"));
      return;
    }
    var form = picker.closest("form");
    var next = focusable(form).filter(function (element) {
      return (
        !picker.contains(element) &&
        picker.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING
      );
    })[0];
    focusField(next);
  }

  // Fields only a meeting has (the new opportunity): shown, and sent, only for a meeting.
  function followKind(form) {
    var checked = form.querySelector("input[name$='kind']:checked");
    var isMeeting = !!checked && checked.value === "meeting";
    form.querySelectorAll("[data-meeting-only]").forEach(function (block) {
      block.hidden = !isMeeting;
      block.disabled = !isMeeting;
    });
  }

  // A note's length against its limit, instead of the browser cutting it silently.
  function counter(textarea) {
    var help = document.querySelector("[data-counter-for='" + textarea.id + "']");
    if (!help || textarea.dataset.counterReady) return;
    textarea.dataset.counterReady = "1";
    var limit = parseInt(textarea.dataset.maxLength, 10);
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    help.after(status);
    var wasOver = false;
    function update() {
      var length = textarea.value.length;
      var over = length > limit;
      var counts = { length: length, limit: limit, over: length - limit };
      help.textContent = over
        ? interpolate(gettext("%(length)s / %(limit)s characters: %(over)s over the limit"), counts, true)
        : interpolate(gettext("%(length)s / %(limit)s characters"), counts, true);
      help.classList.toggle("is-over", over);
      if (over) textarea.setAttribute("aria-invalid", "true");
      else if (!textarea.closest(".field-invalid")) textarea.removeAttribute("aria-invalid");
      if (over !== wasOver) {
        status.textContent = over
          ? interpolate(gettext("The note is over the %(limit)s character limit."), counts, true)
          : gettext("The note fits again.");
        wasOver = over;
      }
    }
    textarea.addEventListener("input", update);
    update();
  }

  // A connected call: its duration and follow-up date are the next fields (Tab from the
  // count). For any other outcome they wait behind a button, unless already filled in.
  function followOutcome(form) {
    var outcome = form.querySelector("select[name$='outcome']");
    var details = form.querySelector("[data-opens-on]");
    var toggle = details && form.querySelector("[aria-controls='" + details.id + "']");
    if (!outcome || !details || !toggle || outcome.dataset.outcomeReady) return;
    outcome.dataset.outcomeReady = "1";
    function show(shown) {
      details.hidden = !shown;
      toggle.hidden = shown;
      toggle.setAttribute("aria-expanded", shown ? "true" : "false");
    }
    function needed() {
      var filled = Array.prototype.some.call(details.querySelectorAll("input"), function (input) {
        return input.value !== "";
      });
      return filled || !!details.querySelector(".field-invalid") || outcome.value === details.dataset.opensOn;
    }
    show(needed());
    // Another outcome (or another kind, whose outcomes htmx swaps in): shown while needed.
    outcome.addEventListener("change", function () {
      show(needed());
    });
    outcome.addEventListener("htmx:afterSwap", function () {
      show(needed());
    });
    toggle.addEventListener("click", function () {
      show(true);
      focusField(details.querySelector("input"));
    });
  }

  function setUp(root) {
    root.querySelectorAll("[role=combobox][aria-controls]").forEach(combobox);
    root.querySelectorAll("textarea[data-max-length]").forEach(counter);
    var forms = root.matches && root.matches("form") ? [root] : [];
    root.querySelectorAll("form").forEach(function (form) {
      forms.push(form);
    });
    forms.forEach(function (form) {
      followOutcome(form);
      if (!form.querySelector("[data-meeting-only]")) return;
      followKind(form);
      if (!form.dataset.kindReady) {
        form.dataset.kindReady = "1";
        form.addEventListener("change", function (event) {
          if (event.target.name && /kind$/.test(event.target.name)) followKind(form);
        });
      }
    });
  }

  function focusAfterSwap(element) {
    // A form answered with errors: the first field in error. Logged: the kind, for the next.
    var focusRoot = element.matches("[data-focus]") ? element : element.querySelector("[data-focus]");
    if (focusRoot) {
      if (focusRoot.dataset.focus === "error") {
        focusField(
          focusRoot.querySelector("[aria-invalid=true]") ||
            focusRoot.querySelector(".field-invalid " + FOCUSABLE) ||
            focusRoot.querySelector(".form-errors")
        );
      } else if (focusRoot.dataset.focus === "heading") {
        focusField(focusRoot.querySelector("h2[tabindex]"));
      } else if (focusRoot.dataset.focus === "kind") {
        focusField(focusRoot.querySelector("input[name$='kind']:checked") || focusRoot.querySelector("input[name$='kind']"));
      }
      return;
    }
    if (element.id === "prospect-picker") {
      focusAfterPicker(element);
      return;
    }
    if (element.matches(".activity-row.editing")) {
      focusField(element.querySelector("input[name$='kind']:checked"));
      return;
    }
  }

  // The control that had focus went away with the swap (Done on the Due list, Save or
  // Delete in the day list): focus the heading of the section it was in, never <body>.
  var askedFrom = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    // Only sections that can take focus back count: a refresh of another part of the page
    // (today's targets reload on "activity-logged") must not take the place of the click.
    var section = event.detail.elt.closest && event.detail.elt.closest("section[id]");
    if (section && section.querySelector("h2[tabindex]")) askedFrom = section.id;
  });
  function refocusSection(element) {
    if (!askedFrom || element.id !== askedFrom) return;
    // After every swap of this answer (out-of-band ones included) has happened.
    window.setTimeout(function () {
      var lost = !document.activeElement || document.activeElement === document.body;
      if (lost) focusField(element.querySelector("h2[tabindex]"));
    }, 0);
  }

  var loaded = false;
  htmx.onLoad(function (element) {
    setUp(element);
    if (!loaded) {
      // The first load is the page itself: only a form sent back with errors takes focus.
      loaded = true;
      var form = document.querySelector("[data-focus=error]");
      if (form) focusAfterSwap(form);
      return;
    }
    focusAfterSwap(element);
    refocusSection(element);
  });
})();
