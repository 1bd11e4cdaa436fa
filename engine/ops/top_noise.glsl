#version 330 core
// noiseTOP. Noise space: (pixel + t.xy) / period, and t.z / period in
// depth, so the tutorial's period = 100 is a feature size of 100 pixels and
// tx = seconds * 10 pans 10 pixels a second.
// The variant says TYPE (0 random, 1 sparse, 2 harmonic, 3 perlin,
// 4 simplex) and MONO (0 or 1), so that no pixel tests them.
in vec2 vUV;
uniform int uSeed, uHarmon;
uniform float uPeriod, uSpread, uRough, uExponent, uAmp, uOffset;
uniform vec3 uT;
uniform vec2 uSize;
out vec4 fragColor;

uint hash(uvec4 v) {
    uint h = v.x * 0x9E3779B1u ^ (v.y + 0x7F4A7C15u) * 0x85EBCA77u ^
             (v.z + 0x165667B1u) * 0xC2B2AE3Du ^ (v.w + 0x27D4EB2Fu) *
             0x94D049BBu;
    h ^= h >> 15; h *= 0x2C1B3C6Du; h ^= h >> 12; h *= 0x297A2D39u;
    h ^= h >> 15;
    return h;
}

// Uniform in -1..1 for a lattice point and stream.
float rnd(ivec3 p, uint stream) {
    return float(hash(uvec4(uvec3(p), stream))) / 2147483647.5 - 1.0;
}

vec3 grad(ivec3 p, uint stream) {
    uint h = hash(uvec4(uvec3(p), stream));
    float z = float(h & 0xFFFFu) / 32767.5 - 1.0;
    float a = float(h >> 16) / 65536.0 * 6.28318530718;
    float r = sqrt(max(0.0, 1.0 - z * z));
    return vec3(r * cos(a), r * sin(a), z);
}

float perlin(vec3 x, uint s) {
    ivec3 i = ivec3(floor(x));
    vec3 f = fract(x);
    vec3 u = f * f * f * (f * (f * 6.0 - 15.0) + 10.0);
    float n000 = dot(grad(i, s), f);
    float n100 = dot(grad(i + ivec3(1, 0, 0), s), f - vec3(1, 0, 0));
    float n010 = dot(grad(i + ivec3(0, 1, 0), s), f - vec3(0, 1, 0));
    float n110 = dot(grad(i + ivec3(1, 1, 0), s), f - vec3(1, 1, 0));
    float n001 = dot(grad(i + ivec3(0, 0, 1), s), f - vec3(0, 0, 1));
    float n101 = dot(grad(i + ivec3(1, 0, 1), s), f - vec3(1, 0, 1));
    float n011 = dot(grad(i + ivec3(0, 1, 1), s), f - vec3(0, 1, 1));
    float n111 = dot(grad(i + ivec3(1, 1, 1), s), f - vec3(1, 1, 1));
    // 1 / (sqrt(3) / 2): the largest a 3D gradient lattice can reach.
    return 1.1547 * mix(mix(mix(n000, n100, u.x), mix(n010, n110, u.x), u.y),
                     mix(mix(n001, n101, u.x), mix(n011, n111, u.x), u.y),
                     u.z);
}

float simplex(vec3 v, uint s) {
    const float F = 1.0 / 3.0, G = 1.0 / 6.0;
    vec3 i = floor(v + dot(v, vec3(F)));
    vec3 x0 = v - i + dot(i, vec3(G));
    vec3 g = step(x0.yzx, x0.xyz);
    vec3 l = 1.0 - g;
    vec3 i1 = min(g, l.zxy), i2 = max(g, l.zxy);
    vec3 x1 = x0 - i1 + G, x2 = x0 - i2 + 2.0 * G, x3 = x0 - 0.5;
    ivec3 ii = ivec3(i);
    vec4 w = max(0.6 - vec4(dot(x0, x0), dot(x1, x1), dot(x2, x2),
                            dot(x3, x3)), 0.0);
    w = w * w * w * w;
    vec4 d = vec4(dot(grad(ii, s), x0), dot(grad(ii + ivec3(i1), s), x1),
                  dot(grad(ii + ivec3(i2), s), x2),
                  dot(grad(ii + ivec3(1), s), x3));
    return 32.0 * dot(w, d);
}

// Sparse convolution: a random impulse in each cell under a smooth bump.
float sparse(vec3 x, uint s) {
    ivec3 i = ivec3(floor(x));
    float sum = 0.0;
    for (int dz = -1; dz <= 1; dz++)
    for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++) {
        ivec3 c = i + ivec3(dx, dy, dz);
        vec3 at = vec3(c) + 0.5 + 0.5 * vec3(rnd(c, s), rnd(c, s + 1u),
                                             rnd(c, s + 2u));
        float r2 = dot(x - at, x - at);
        float k = max(0.0, 1.0 - r2);
        sum += rnd(c, s + 3u) * k * k * k;
    }
    return clamp(sum, -1.0, 1.0);
}

// Harmonic: a few sine waves in random directions.
float harmonic(vec3 x, uint s) {
    float sum = 0.0;
    for (int k = 0; k < 4; k++) {
        vec3 dir = grad(ivec3(k, 7, 13), s);
        float ph = rnd(ivec3(k, 3, 5), s) * 3.14159265;
        sum += sin(dot(x, dir) * 6.28318530718 + ph);
    }
    return sum * 0.5;
}

float base(vec3 x, uint s) {
    if (TYPE == 1) return sparse(x, s);
    if (TYPE == 2) return harmonic(x, s);
    if (TYPE == 4) return simplex(x, s);
    return perlin(x, s);
}

float value(uint stream) {
    vec2 pix = vUV * uSize;
    if (TYPE == 0) {
        ivec3 cell = ivec3(floor(pix + uT.xy), floor(uT.z));
        return rnd(cell, stream);
    }
    vec3 x = vec3(pix + uT.xy, uT.z) / uPeriod;
    float sum = 0.0, weight = 0.0, w = 1.0;
    for (int h = 0; h <= uHarmon; h++) {
        sum += w * base(x, stream + uint(h) * 16u);
        weight += w;
        w *= uRough;
        x *= uSpread;
    }
    float n = clamp(weight > 0.0 ? sum / weight : 0.0, -1.0, 1.0);
    return sign(n) * pow(abs(n), uExponent);
}

void main() {
    uint s = uint(uSeed) * 64u;
    float r = uOffset + uAmp * value(s);
    if (MONO != 0) {
        fragColor = vec4(r, r, r, 1.0);
        return;
    }
    float g = uOffset + uAmp * value(s + 1000u);
    float b = uOffset + uAmp * value(s + 2000u);
    fragColor = vec4(r, g, b, 1.0);
}
