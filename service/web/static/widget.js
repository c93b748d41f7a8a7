/*
 * Chain Tutor chat widget: <chain-tutor-chat>.
 *
 *   <script src="https://HOST/widget.js" defer></script>
 *   <chain-tutor-chat expression="(2x+1)^3" course="JOINCODE"></chain-tutor-chat>
 *
 * Attributes (read once, when the element starts): `expression` starts on that
 * problem, `variable` names its variable, `course` is a course join code (the
 * learner is enrolled so their instructor sees them), `learner-name` is the
 * learner's name when the host page knows it (otherwise the widget asks once,
 * optionally), `api` overrides the service's address (by default the origin
 * this script was loaded from).
 *
 * Plain modern JavaScript, no build step. Everything lives in a shadow root so
 * the host page's CSS cannot break the chat and ours cannot leak out.
 * Safety: learner text and tutor text are only ever set with textContent;
 * the only markup inserted is the tutor's MathML, which the server generates
 * with its own printers from parsed maths (each message's `segments`); it is
 * parsed inertly (DOMParser) and kept only if it is MathML. Each piece of
 * maths also carries its plain text, read to screen readers.
 */
(() => {
  "use strict";
  if (customElements.get("chain-tutor-chat")) return;

  // Captured now: document.currentScript is null once this script has run.
  const SCRIPT_SRC = document.currentScript ? document.currentScript.src : "";
  const DEFAULT_API = SCRIPT_SRC ? new URL(SCRIPT_SRC).origin : window.location.origin;
  const MATHML_NS = "http://www.w3.org/1998/Math/MathML";
  const PREVIEW_DELAY_MS = 250;
  const MAX_LENGTH = 2000;
  const LABELLED_KINDS = { hint: "Hint", solution: "Solution", explanation: "Explanation" };
  // Where a learner started, for the teacher's dashboard ("via widget on example.org").
  const SOURCES = new Set(["widget", "embed", "lesson"]);
  const MATH_FONTS = '"STIX Two Math", "Cambria Math", "Latin Modern Math", "Noto Sans Math", math';
  // Each button sends a named action (POST messages {"action": ...}), not words the
  // tutor must recognise; `said` is how the transcript shows it (service/tutor/engine.py ACTION_WORDS).
  const ACTIONS = [
    { label: "Hint", action: "hint", said: "Hint, please.", description: "Hint: ask the tutor for a hint" },
    { label: "Next factor", action: "next_factor", said: "Which factor is next?",
      description: "Next factor: which local derivative is still missing" },
    { label: "Solution", action: "solution", said: "Show me the solution.",
      description: "Solution: show the worked solution" },
    { label: "New problem", action: "new_problem", said: "A new problem, please.",
      description: "New problem: start another problem" },
  ];
  const MATHML_ATTRIBUTES = new Set([
    "display", "mathvariant", "mathsize", "stretchy", "fence", "separator", "separators", "lspace",
    "rspace", "accent", "accentunder", "form", "largeop", "movablelimits", "symmetric", "open",
    "close", "linethickness", "scriptlevel", "displaystyle", "columnalign", "rowalign", "notation",
    "columnspacing", "rowspacing", "minsize", "maxsize", "width", "height", "depth",
  ]);

  const STYLE = `
    :host { display: block; max-width: 28rem; color: #1d2330; font: 15px/1.45 system-ui, -apple-system,
      "Segoe UI", Roboto, "Noto Sans", sans-serif; }
    * { box-sizing: border-box; }
    .ct { display: flex; flex-direction: column; height: var(--chain-tutor-height, min(36rem, 85vh));
      min-height: 22rem; background: #fff; border: 1px solid #d5d9e2; border-radius: 12px; overflow: hidden; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem .75rem; padding: .55rem .75rem;
      background: #f4f6fa; border-bottom: 1px solid #d5d9e2; }
    .title { font-weight: 700; }
    .problem { flex: 1 1 8rem; min-width: 0; color: #566074; overflow-wrap: anywhere; }
    .solved { display: none; color: #1c7a3e; font-weight: 700; }
    .ct[data-solved] .solved { display: inline; }
    details.mastery { flex-basis: 100%; font-size: .85rem; }
    details.mastery summary { cursor: pointer; display: flex; align-items: center; gap: .5rem; }
    details.mastery ul { list-style: none; margin: .35rem 0 0; padding: 0; display: grid; gap: .2rem; }
    details.mastery li { display: grid; grid-template-columns: 1fr 5rem 2.5rem; gap: .5rem; align-items: center; }
    meter { width: 5rem; height: .7rem; }
    .log { flex: 1; overflow-y: auto; padding: .75rem; display: flex; flex-direction: column; gap: .5rem; }
    .bubble { max-width: 88%; padding: .45rem .75rem; border-radius: 14px; white-space: pre-wrap;
      overflow-wrap: anywhere; }
    .bubble p { margin: 0; }
    .bubble .label { display: block; font-size: .8rem; font-weight: 700; color: #6b5200; }
    .bubble .maths { display: block; margin-top: .3rem; overflow-x: auto; font-size: 1.1em; }
    math { font-family: ${MATH_FONTS}; font-size: 1.08em; }
    .bubble .m { white-space: nowrap; }
    .bubble p:has(.m) { line-height: 1.75; }
    .problem math { font-size: 1em; }
    .tutor { align-self: flex-start; background: #eef1f6; border-bottom-left-radius: 4px; }
    .tutor[data-kind="hint"] { background: #fff4d1; }
    .tutor[data-kind="solution"], .tutor[data-kind="explanation"] { background: #e6f4ea; }
    .tutor[data-kind="question"] { border-left: 3px solid #1a5fb4; }
    .learner { align-self: flex-end; background: #1a5fb4; color: #fff; border-bottom-right-radius: 4px; }
    .learner[data-correct="true"] p::after { content: " ✓" / " (correct)"; }
    .learner[data-correct="false"] p::after { content: " ✗" / " (not right yet)"; }
    .system { align-self: center; background: #fbeaec; color: #a51d2d; font-size: .9rem; }
    .preview { min-height: 1.8rem; padding: .2rem .75rem; font-size: .9rem; color: #566074;
      overflow-x: auto; overflow-y: hidden; white-space: nowrap; }
    .preview math { font-size: 1.15em; padding-block: .15rem; math-style: normal; }
    .name-ask { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem .5rem; padding: .5rem .75rem;
      background: #f4f6fa; border-bottom: 1px solid #d5d9e2; font-size: .9rem; }
    .name-ask[hidden] { display: none; }
    .name-ask label { flex-basis: 100%; }
    .name-ask input { flex: 1 1 8rem; font: 16px system-ui, sans-serif; }
    .name-ask button { min-height: 2.25rem; }
    .preview.error { color: #a51d2d; }
    form { display: flex; gap: .5rem; padding: .4rem .75rem; }
    input { flex: 1; min-width: 0; font: 16px ui-monospace, Menlo, Consolas, monospace; padding: .5rem .6rem;
      border: 1px solid #9aa3b5; border-radius: 8px; }
    .actions { display: flex; flex-wrap: wrap; gap: .4rem; padding: .1rem .75rem .75rem; }
    button { font: inherit; min-height: 2.5rem; padding: .35rem .8rem; border-radius: 8px; cursor: pointer;
      border: 1px solid #1a5fb4; background: #fff; color: #1a5fb4; }
    button[type="submit"] { background: #1a5fb4; color: #fff; }
    button:disabled { opacity: .6; cursor: progress; }
    :focus-visible { outline: 3px solid #e5a50a; outline-offset: 2px; }
    .log:focus-visible { outline-offset: -3px; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
      white-space: nowrap; }
    @media (max-width: 420px) { .bubble { max-width: 95%; } .actions button { flex: 1 1 40%; } }
  `;

  const MARKUP = `
    <div class="ct" part="chat">
      <header>
        <span class="title">Chain Tutor</span>
        <span class="problem" aria-live="polite"></span>
        <span class="solved">Solved ✓</span>
        <details class="mastery" hidden>
          <summary>Mastery <meter min="0" max="1" value="0" aria-hidden="true"></meter>
            <span class="average"></span></summary>
          <ul aria-label="Mastery per skill"></ul>
        </details>
      </header>
      <form class="name-ask" hidden>
        <label for="name">What is your first name? Your teacher sees it (optional).</label>
        <input id="name" type="text" maxlength="60" autocomplete="given-name" enterkeyhint="done">
        <button type="submit">Save</button>
        <button type="button" class="skip">Skip</button>
      </form>
      <div class="log" role="log" aria-live="polite" aria-label="Conversation with the tutor" tabindex="0"></div>
      <div class="preview" id="preview" aria-live="polite"></div>
      <form>
        <label class="visually-hidden" for="input">Your answer or question</label>
        <input id="input" type="text" autocomplete="off" spellcheck="false" enterkeyhint="send"
          aria-label="Your answer or question" aria-describedby="preview"
          placeholder="Your answer, e.g. u = 2x + 1">
        <button type="submit" aria-label="Send your message">Send</button>
      </form>
      <div class="actions" role="group" aria-label="Ask the tutor"></div>
    </div>`;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** The tutor's MathML as a node of this document, or null if it is not plain MathML. */
  function mathmlNode(markup) {
    // text/html, not XML: sympy's MathML uses HTML entities (&InvisibleTimes;).
    // DOMParser documents are inert: nothing in them loads or runs.
    const math = new DOMParser().parseFromString(markup, "text/html").querySelector("math");
    if (!math || math.namespaceURI !== MATHML_NS) return null;
    keepMathml(math);
    return document.importNode(math, true);
  }

  /** Typeset maths with its plain text beside it for screen readers (the MathML is hidden from them). */
  function mathWithText(markup, text) {
    const math = mathmlNode(markup);
    if (!math) return null;
    math.setAttribute("aria-hidden", "true");
    const holder = document.createElement("span");
    holder.className = "m";
    const spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.textContent = text;
    holder.append(math, spoken);
    return holder;
  }

  /** A tutor message's words and maths (its `segments`) as nodes; null when it has none. */
  function typesetSegments(segments) {
    if (!Array.isArray(segments) || !segments.length) return null;
    const nodes = segments.map((segment) => {
      const text = String(segment.text ?? "");
      return (segment.math && mathWithText(String(segment.math), text)) || document.createTextNode(text);
    });
    return nodes.some((node) => node.nodeType === Node.ELEMENT_NODE) ? nodes : null;
  }

  /** Drop every element that is not MathML and every attribute not on the list. */
  function keepMathml(element) {
    for (const attribute of Array.from(element.attributes)) {
      if (!MATHML_ATTRIBUTES.has(attribute.name.toLowerCase())) element.removeAttribute(attribute.name);
    }
    for (const child of Array.from(element.children)) {
      if (child.namespaceURI === MATHML_NS) keepMathml(child);
      else child.remove();
    }
  }

  /** localStorage, or a plain object where the page forbids it (sandboxed frames). */
  function storage() {
    try {
      const probe = "chain-tutor:probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      const memory = {};
      return { getItem: (k) => memory[k] ?? null, setItem: (k, v) => { memory[k] = String(v); } };
    }
  }

  class ChainTutorChat extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.queue = Promise.resolve();
      this.previewSeq = 0;
      this.previewTimer = 0;
      this.state = {};
      this.store = storage();
    }

    connectedCallback() {
      if (this.ui) return;
      this.build();
      this.queue = this.queue.then(() => this.start()).catch((error) => this.say(error));
    }

    get apiBase() {
      return (this.getAttribute("api") || DEFAULT_API).replace(/\/+$/, "");
    }

    get storageKey() {
      return `chain-tutor:${this.apiBase}`;
    }

    build() {
      const style = document.createElement("style");
      style.textContent = STYLE;
      const template = document.createElement("template");
      template.innerHTML = MARKUP; // a constant: no data goes into it
      this.shadowRoot.append(style, template.content.cloneNode(true));
      const $ = (selector) => this.shadowRoot.querySelector(selector);
      this.ui = { box: $(".ct"), log: $(".log"), input: $("#input"), form: $("form:not(.name-ask)"),
        preview: $(".preview"), problem: $(".problem"), mastery: $("details.mastery"), actions: $(".actions"),
        nameAsk: $(".name-ask"), name: $("#name") };
      this.ui.input.maxLength = MAX_LENGTH;
      for (const { label, action, said, description } of ACTIONS) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.setAttribute("aria-label", description);
        button.dataset.action = action;
        button.addEventListener("click", () => this.send(said, action));
        this.ui.actions.append(button);
      }
      this.ui.form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = this.ui.input.value.trim();
        if (!text) return;
        this.ui.input.value = "";
        this.clearPreview();
        this.send(text);
      });
      this.ui.input.addEventListener("input", () => this.schedulePreview());
      this.ui.nameAsk.addEventListener("submit", (event) => {
        event.preventDefault();
        this.answerName(this.ui.name.value.trim());
      });
      this.ui.nameAsk.querySelector(".skip").addEventListener("click", () => this.answerName(""));
    }

    // ---- talking to the service -------------------------------------------------

    async call(method, path, body, extraHeaders = {}) {
      const headers = { Accept: "application/json", ...extraHeaders };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (this.identity && this.identity.token) headers.Authorization = `Bearer ${this.identity.token}`;
      let response;
      try {
        response = await fetch(`${this.apiBase}/api/v1${path}`, {
          method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit",
        });
      } catch (error) {
        throw new ApiError(0, "The tutor cannot be reached. Check your connection and try again.");
      }
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        const message = (data.error && data.error.message) || `The tutor answered ${response.status}.`;
        throw new ApiError(response.status, message);
      }
      return data;
    }

    loadIdentity() {
      // A page that already knows the learner (an LMS launch) hands over its token.
      const token = this.getAttribute("token");
      if (token) return { learnerId: this.getAttribute("learner") || "", token, courses: [] };
      try {
        return JSON.parse(this.store.getItem(this.storageKey)) || {};
      } catch (error) {
        return {};
      }
    }

    saveIdentity() {
      this.store.setItem(this.storageKey, JSON.stringify(this.identity));
    }

    async start() {
      this.identity = this.loadIdentity();
      try {
        await this.ensureLearner();
        await this.openConversation();
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        // The stored token no longer checks out (a reset database): start afresh once.
        this.identity = {};
        await this.ensureLearner();
        await this.openConversation();
      }
      this.refreshMastery();
      await this.settleName();
    }

    /** Where this chat runs, for the teacher's dashboard: how the learner came, and from which site. */
    get origin() {
      const wanted = this.getAttribute("source") || "widget";
      const source = SOURCES.has(wanted) ? wanted : "widget";
      let host = window.location.host;
      if (source === "embed") {
        try { host = document.referrer ? new URL(document.referrer).host : ""; } catch (error) { host = ""; }
      }
      return { source, source_host: host || undefined };
    }

    /** The learner's name: from the host page's attribute, or asked once (optional). */
    async settleName() {
      const given = (this.getAttribute("learner-name") || "").trim().slice(0, 200);
      if (given) {
        if (this.identity.name !== given) await this.saveName(given).catch(() => {});
        return;
      }
      // Our own lesson page has no teacher to see a name; a course site (widget, embed) has.
      if (!this.identity.nameAsked && this.origin.source !== "lesson") this.ui.nameAsk.hidden = false;
    }

    async answerName(name) {
      this.ui.nameAsk.hidden = true;
      this.identity.nameAsked = true;
      this.saveIdentity();
      if (name) await this.saveName(name).catch((error) => this.say(error));
      this.ui.input.focus();
    }

    async saveName(name) {
      await this.call("PATCH", `/learners/${this.identity.learnerId}`, { name });
      this.identity.name = name;
      this.saveIdentity();
    }

    async ensureLearner() {
      const course = this.getAttribute("course") || "";
      if (!this.identity.token) {
        const given = (this.getAttribute("learner-name") || "").trim().slice(0, 200);
        const body = { ...this.origin, ...(course ? { course_code: course } : {}), ...(given ? { name: given } : {}) };
        const learner = await this.call("POST", "/learners", body).catch((error) => {
          if (!course || error.status === 0) throw error;
          this.say(new Error(`The course code "${course}" was not accepted: ${error.message}`));
          return this.call("POST", "/learners", { ...this.origin, ...(given ? { name: given } : {}) });
        });
        this.identity = { learnerId: learner.id, token: learner.token, courses: course ? [course] : [],
          name: given || undefined };
        this.saveIdentity();
      } else if (course && !(this.identity.courses || []).includes(course)) {
        await this.call("POST", "/courses/enrol", { code: course }).catch((error) => {
          if (error.status !== 409) this.say(error); // 409: already enrolled, which is what we want
        });
        this.identity.courses = [...(this.identity.courses || []), course];
        this.saveIdentity();
      }
    }

    async openConversation() {
      const wanted = this.getAttribute("expression") || "";
      // A page that names a problem starts on it once; after that (and on pages
      // that name none) the learner's own conversation carries on where it was.
      // A conversation belongs to the course it started in: on another course's page, start anew.
      const sameCourse = (this.identity.startedIn || "") === (this.getAttribute("course") || "");
      if (this.identity.conversationId && sameCourse && (!wanted || this.identity.startedFor === wanted)) {
        try {
          const conversation = await this.call("GET", `/conversations/${this.identity.conversationId}`);
          conversation.messages.forEach((message) => this.show(message));
          this.updateState(conversation.state);
          return;
        } catch (error) {
          if (error.status !== 404 && error.status !== 403) throw error;
        }
      }
      await this.newConversation(wanted);
    }

    async newConversation(expression) {
      const body = {};
      const course = this.getAttribute("course") || "";
      if (expression) body.expression = expression;
      if (expression && this.getAttribute("variable")) body.variable = this.getAttribute("variable");
      if (course) body.course_code = course;
      const turn = await this.call("POST", "/conversations", body).catch((error) => {
        if (!course || error.status !== 404) throw error;
        delete body.course_code; // the code was refused at enrolment: no course, as before
        return this.call("POST", "/conversations", body);
      });
      Object.assign(this.identity, { conversationId: turn.id, startedFor: expression, startedIn: course });
      this.saveIdentity();
      this.showTurn(turn);
    }

    /** Send one message (typed text, or a button's action); one at a time, in order. */
    send(text, action) {
      this.queue = this.queue.then(() => this.post(text, action)).catch((error) => this.say(error));
      return this.queue;
    }

    async post(text, action) {
      if (!this.identity || !this.identity.conversationId) await this.start();
      const bubble = this.show({ role: "learner", kind: "text", text });
      this.setBusy(true);
      try {
        const path = `/conversations/${this.identity.conversationId}/messages`;
        const body = action ? { action } : { text };
        // One key per message: a resend (after a clash or a lost answer) never takes a second turn.
        const key = { "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}` };
        const turn = await this.call("POST", path, body, key).catch((error) => {
          if (error.status === 409 || error.status === 0) return this.call("POST", path, body, key); // resend once
          throw error;
        });
        if (turn.verdict) bubble.dataset.correct = String(Boolean(turn.verdict.correct));
        this.showTurn(turn);
        if (turn.verdict || turn.state.solved) this.refreshMastery();
      } finally {
        this.setBusy(false);
      }
    }

    async refreshMastery() {
      try {
        const progress = await this.call("GET", `/learners/${this.identity.learnerId}/progress`);
        this.showMastery(progress.skills || []);
      } catch (error) {
        // The indicator is a nicety: the chat goes on without it.
      }
    }

    // ---- showing things -------------------------------------------------------

    showTurn(turn) {
      (turn.messages || []).forEach((message) => this.show(message));
      this.updateState(turn.state);
    }

    show(message) {
      const role = message.role === "learner" ? "learner" : "tutor";
      const bubble = document.createElement("div");
      bubble.className = `bubble ${role}`;
      bubble.dataset.role = role;
      bubble.dataset.kind = String(message.kind || "text");
      const label = role === "tutor" && LABELLED_KINDS[message.kind];
      if (label) {
        const tag = document.createElement("span");
        tag.className = "label";
        tag.textContent = label;
        bubble.append(tag);
      }
      const paragraph = document.createElement("p");
      const typeset = role === "tutor" ? typesetSegments(message.segments) : null;
      if (typeset) paragraph.append(...typeset);
      else paragraph.textContent = String(message.text ?? "");
      bubble.append(paragraph);
      if (role === "tutor" && message.mathml && !typeset) {
        const math = mathmlNode(String(message.mathml));
        if (math) {
          const holder = document.createElement("span");
          holder.className = "maths";
          holder.append(math);
          bubble.append(holder);
        }
      }
      if (message.verdict) bubble.dataset.correct = String(Boolean(message.verdict.correct));
      this.append(bubble);
      return bubble;
    }

    say(error) {
      const bubble = document.createElement("div");
      bubble.className = "bubble system";
      bubble.dataset.role = "system";
      bubble.setAttribute("role", "alert");
      bubble.textContent = (error && error.message) || "Something went wrong.";
      this.append(bubble);
    }

    append(bubble) {
      this.ui.log.append(bubble);
      this.ui.log.scrollTop = this.ui.log.scrollHeight;
    }

    updateState(state) {
      this.state = state || {};
      this.ui.problem.textContent = this.state.expression ? `Problem: ${this.state.expression}` : "";
      this.ui.box.toggleAttribute("data-solved", Boolean(this.state.solved));
    }

    setBusy(busy) {
      this.ui.log.setAttribute("aria-busy", String(busy));
      this.ui.actions.querySelectorAll("button").forEach((button) => { button.disabled = busy; });
    }

    showMastery(skills) {
      if (!skills.length) return;
      const average = skills.reduce((sum, skill) => sum + skill.probability, 0) / skills.length;
      const mastery = this.ui.mastery;
      mastery.hidden = false;
      mastery.querySelector("summary meter").value = average;
      mastery.querySelector(".average").textContent = `${Math.round(average * 100)}%`;
      const rows = skills.map((skill) => {
        const row = document.createElement("li");
        const name = document.createElement("span");
        name.textContent = skill.label || skill.skill;
        const meter = document.createElement("meter");
        Object.assign(meter, { min: 0, max: 1, value: skill.probability });
        meter.setAttribute("aria-label", `${name.textContent} mastery`);
        const value = document.createElement("span");
        value.textContent = `${Math.round(skill.probability * 100)}%`;
        row.append(name, meter, value);
        return row;
      });
      mastery.querySelector("ul").replaceChildren(...rows);
    }

    // ---- the live preview -----------------------------------------------------

    schedulePreview() {
      clearTimeout(this.previewTimer);
      const text = this.ui.input.value.trim();
      if (!text) {
        this.clearPreview();
        return;
      }
      this.previewTimer = setTimeout(() => this.preview(text), PREVIEW_DELAY_MS);
    }

    clearPreview() {
      clearTimeout(this.previewTimer);
      this.previewSeq += 1; // any answer still on its way is now stale
      this.ui.preview.replaceChildren();
      this.ui.preview.classList.remove("error");
    }

    async preview(text) {
      const seq = ++this.previewSeq;
      const body = { expression: text };
      if (this.state.variable) body.variable = this.state.variable;
      let reading = null;
      let problem = null;
      try {
        reading = await this.call("POST", "/preview", body);
      } catch (error) {
        problem = error;
      }
      if (seq !== this.previewSeq) return; // the learner typed on meanwhile
      const box = this.ui.preview;
      box.classList.toggle("error", Boolean(problem));
      if (problem) {
        box.textContent = problem.status === 422 ? `⚠ ${problem.message}` : "";
        return;
      }
      if (reading.kind === "sentence") {
        box.replaceChildren();
        return;
      }
      const math = reading.mathml ? mathmlNode(reading.mathml) : null;
      const lead = reading.kind === "request" && !math ? "I read this as a request: " : "I read this as ";
      const words = reading.kind === "request" && math ? `${lead}differentiate ` : lead;
      box.replaceChildren(document.createTextNode(math ? words : words + (reading.text || "")));
      if (math) box.append(math);
    }
  }

  customElements.define("chain-tutor-chat", ChainTutorChat);
})();
