#version 330 core
// A decoded movie frame to RGB in one pass without branches: planar YUV
// (Y, Cb, Cr in three mono textures, the chroma ones smaller when
// subsampled) through one affine map that holds the file's matrix and
// range (moviefileinTOP computes it), or RGBA (the same texture on every
// unit, the map the identity, its alpha kept). The decoder's rows run
// top to bottom, a texture's bottom to top: the image is read upside down.
in vec2 vUV;
uniform sampler2D uY, uU, uV;
uniform float uRGBA; // 1: uY holds RGBA
uniform mat3 uM;     // texel values (Y, Cb, Cr) to RGB ...
uniform vec3 uOff;   // ... plus this
out vec4 fragColor;
void main() {
    vec2 uv = vec2(vUV.x, 1.0 - vUV.y);
    vec4 a = texture(uY, uv);
    vec3 ycc = vec3(a.r, mix(texture(uU, uv).r, a.g, uRGBA),
                    mix(texture(uV, uv).r, a.b, uRGBA));
    fragColor = vec4(clamp(uM * ycc + uOff, 0.0, 1.0), mix(1.0, a.a, uRGBA));
}
