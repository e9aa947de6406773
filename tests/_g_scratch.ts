import { GoogleGenAI } from "@google/genai";
import { FakeGemini } from "./fake_gemini.ts";
const fake = FakeGemini.start();
fake.script({ kind: "text", chunks: ["Hel", "lo"] }, { kind: "functionCall", name: "x", args: { a: 1 } }, { kind: "error", status: 429 }, {kind:"text", chunks:["a","b"]});
const ai = new GoogleGenAI({ apiKey: "k-123", httpOptions: { baseUrl: fake.baseUrl } });
for await (const c of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: "hi", config: { systemInstruction: "sys", tools: [{ functionDeclarations: [{ name: "x", parametersJsonSchema: { type: "object", properties: {} } }] }] } })) console.log(JSON.stringify(c));
for await (const c of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: "hi" })) console.log(JSON.stringify(c), c.functionCalls);
try { await ai.models.generateContentStream({ model: "m", contents: "hi" }); } catch (e) { console.log("ERR", e.name, e.status, e.message); }
console.log((await ai.models.generateContent({ model: "m", contents: "x" })).text);
console.log(JSON.stringify(fake.requests, null, 1).slice(0, 1500));
await fake.close();
