// The README's batch body (story step 5), typed by the spec: CI generates `palermo.d.ts` with
// openapi-typescript next to this file and type-checks it with `tsc --strict`.
import type { components, paths } from "./palermo";

type Batch = components["schemas"]["Batch"];
type BatchBody =
  paths["/api/v1/indicator-values/batch"]["post"]["requestBody"]["content"]["application/json"];
type Summary = components["schemas"]["ImportSummary"];

const body: BatchBody = {
  values: [
    {
      indicator: "VICTIMS_DETECTED",
      period: "2019",
      disaggregation: { sex: "female", age_group: "child" },
      value: 42,
    },
    { indicator: "VICTIMS_DETECTED", period: "2019", disaggregation: {}, value: 310 },
    { member_state: "ARG", indicator: "SHELTERS", period: "2019", value: null, flag: "confidential" },
  ],
};

const batch: Batch = body;

export function rejected(summary: Summary): number {
  return summary.rejected + batch.values.length * 0;
}
