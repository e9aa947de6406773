/**
 * Getting the visitor's attention on the host page when an agent or the bot writes while the panel
 * is closed or the tab hidden: the page's title alternates with "(N) New message", and an optional
 * short chime plays (Web Audio, no file to load; only once the visitor has interacted with the
 * page, as browsers allow). The title flashes until the panel opens, and at most ~10 s while the
 * tab is visible (the launcher's badge says the rest); the page's own title always comes back, and
 * a title the page sets meanwhile is kept.
 */

const TICK_MS = 1000;
const VISIBLE_TICKS = 10;

export class Attention {
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The page's own title, and what we last put there. */
  #original = "";
  #ours: string | null = null;
  #visibleTicks = 0;
  #audio: AudioContext | null = null;

  /** A new message: flash the title (with the unread count) and maybe chime. */
  notify(unread: number, sound: boolean): void {
    if (sound) this.#chime();
    const text = `(${Math.max(unread, 1)}) New message${unread > 1 ? "s" : ""}`;
    if (this.#timer === undefined) {
      this.#original = document.title;
      this.#visibleTicks = 0;
      this.#timer = setInterval(() => this.#tick(text), TICK_MS);
    }
    this.#show(text);
  }

  /** Stop flashing and give the page its title back. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#ours !== null && document.title === this.#ours) document.title = this.#original;
    this.#ours = null;
  }

  #tick(text: string) {
    if (this.#ours !== null && document.title !== this.#ours) {
      this.#original = document.title; // the page changed its own title meanwhile
      this.#ours = null;
    }
    this.#visibleTicks = document.hidden ? 0 : this.#visibleTicks + 1;
    if (this.#visibleTicks >= VISIBLE_TICKS) return this.stop();
    if (this.#ours === null) this.#show(text);
    else {
      document.title = this.#original;
      this.#ours = null;
    }
  }

  #show(text: string) {
    document.title = text;
    this.#ours = text;
  }

  #chime() {
    // Browsers refuse audio before the visitor has interacted with the page; don't even ask.
    const activation = (navigator as { userActivation?: { hasBeenActive: boolean } })
      .userActivation;
    if (activation && !activation.hasBeenActive) return;
    try {
      const audio = this.#audio ??= new AudioContext();
      const now = audio.currentTime;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.setValueAtTime(880, now);
      tone.frequency.setValueAtTime(1320, now + 0.09);
      gain.gain.setValueAtTime(0.0001, now);
      gain.gain.exponentialRampToValueAtTime(0.08, now + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.32);
    } catch {
      // No audio here: the title and the badge still tell.
    }
  }
}
