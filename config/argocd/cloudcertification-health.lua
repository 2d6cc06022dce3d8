-- Argo CD health check for certification.scs.community/CloudCertification.
-- Runs in Argo CD's Lua (gopher-lua, Lua 5.1); `obj` is the live object.
-- Healthy: Ready=True. Progressing: the operator has not (yet) evaluated this generation, or
-- no result exists yet while a run is pending. Suspended: spec.suspend. Degraded: Ready=False
-- (failing or missing testcases, configuration errors such as an invalid scope).
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
  hs.message = "Waiting for the operator to evaluate the resource"
  return hs
end
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Scheduled runs are suspended; last verdict: " .. text(ready)
  return hs
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = text(ready)
  return hs
end
-- Not Ready yet because nothing has been checked: the first run is pending or in progress.
local checking = condition(status.conditions, "Checking")
if ready.status == "Unknown" or ready.reason == "NoResults" then
  hs.status = "Progressing"
  if checking ~= nil and checking.status == "True" then
    hs.message = "Checking: " .. text(checking)
  else
    hs.message = text(ready)
  end
  return hs
end
hs.status = "Degraded"
hs.message = text(ready)
return hs
