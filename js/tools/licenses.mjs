// Lists the npm packages esbuild put into a bundle (from its metafile), with their licences.
// Usage: node js/tools/licenses.mjs META.json > webapp/static/js/live-notes.LICENSES.txt
import { readFileSync } from 'node:fs'

const meta = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const found = new Map()
for (const input of Object.keys(meta.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)
  if (!match || found.has(match[1])) continue
  const pkg = JSON.parse(readFileSync(`node_modules/${match[1]}/package.json`, 'utf8'))
  found.set(match[1], `${pkg.name} ${pkg.version}: ${pkg.license || 'see its package'}`)
}
console.log('live-notes.js bundles these npm packages (name, version, licence):\n')
console.log([...found.values()].sort().join('\n'))
