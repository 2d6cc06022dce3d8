-- Argo CD health check for certification.scs.community/IntegratorCertification.
-- Runs in Argo CD's Lua (gopher-lua, Lua 5.1); `obj` is the live object.
-- Healthy: Ready=True. Degraded: Ready=False, or certified but ContinuationAtRisk=True (the
-- score fell below the granted tier). Progressing: not evaluated (yet) for this generation.
local hs = {}

local function condition(conditions, wanted)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function text(c)
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return c.reason or ""
end

local status = obj.status or {}
local ready = condition(status.conditions, "Ready")
local generation = obj.metadata and obj.metadata.generation

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to score the references"
  return hs
end
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end
local atRisk = condition(status.conditions, "ContinuationAtRisk")
if atRisk ~= nil and atRisk.status == "True" then
  hs.status = "Degraded"
  hs.message = "Continuation at risk: " .. text(atRisk)
  return hs
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = text(ready)
  return hs
end
if ready.status == "Unknown" then
  hs.status = "Progressing"
  hs.message = text(ready)
  return hs
end
hs.status = "Degraded"
hs.message = text(ready)
return hs
